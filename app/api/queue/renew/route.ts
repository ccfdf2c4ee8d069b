import { getDb } from '@/db';
import { holderRequest, type RenewAnswer } from '@/lib/api/reviews';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { claimantOf, renewLeases } from '@/lib/review/queue';

export const dynamic = 'force-dynamic';

/** POST /api/queue/renew: the open page is still there; extend its leases. */
export const POST = route('review', async (request, user) => {
  const { holder } = await body(request, holderRequest);
  return Response.json(renewLeases(getDb(), claimantOf(user, holder).holder) satisfies RenewAnswer);
});
