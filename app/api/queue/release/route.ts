import { getDb } from '@/db';
import { body, handle } from '@/lib/http/handler';
import { releaseLeases } from '@/lib/review/queue';
import { holderRequest } from '@/lib/review/requests';

export const dynamic = 'force-dynamic';

/** POST /api/queue/release: the page closed (sent with navigator.sendBeacon). */
export async function POST(request: Request) {
  return handle(async () => {
    const { holder } = await body(request, holderRequest);
    return Response.json({ released: releaseLeases(getDb(), holder) });
  });
}
