import { getDb } from '@/db';
import { claimRequest, type ClaimAnswer } from '@/lib/api/reviews';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { claimantOf, queueFilterFor } from '@/lib/review/queue';
import { claimQueue } from '@/lib/review/queue-view';

export const dynamic = 'force-dynamic';

/** POST /api/queue/claim: lease the next items of a queue for one review page. */
export const POST = route('review', async (request, user) => {
  const { filter, holder, count, prefer } = await body(request, claimRequest);
  return Response.json(
    claimQueue(getDb(), queueFilterFor(filter, user.roles), claimantOf(user, holder), count, prefer) satisfies ClaimAnswer,
  );
});
