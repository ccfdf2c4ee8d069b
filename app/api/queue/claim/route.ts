import { getDb } from '@/db';
import { body, handle } from '@/lib/http/handler';
import { claimRequest } from '@/lib/review/requests';
import { claimQueue } from '@/lib/review/service';

export const dynamic = 'force-dynamic';

/** POST /api/queue/claim: lease the next items of a queue for one review page. */
export async function POST(request: Request) {
  return handle(async () => {
    const { filter, holder, reviewer, count } = await body(request, claimRequest);
    return Response.json(claimQueue(getDb(), filter, { holder, reviewer }, count));
  });
}
