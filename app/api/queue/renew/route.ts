import { getDb } from '@/db';
import { body, handle } from '@/lib/http/handler';
import { renewLeases } from '@/lib/review/queue';
import { holderRequest } from '@/lib/review/requests';

export const dynamic = 'force-dynamic';

/** POST /api/queue/renew: the open page is still there; extend its leases. */
export async function POST(request: Request) {
  return handle(async () => {
    const { holder } = await body(request, holderRequest);
    return Response.json({ expiresAt: renewLeases(getDb(), holder) });
  });
}
