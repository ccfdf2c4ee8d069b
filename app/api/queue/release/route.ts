import { getDb } from '@/db';
import { holderRequest, type ReleaseAnswer } from '@/lib/api/reviews';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { claimantOf, releaseLeases } from '@/lib/review/queue';

export const dynamic = 'force-dynamic';

/** POST /api/queue/release: the page closed (sent with navigator.sendBeacon). */
export const POST = route('review', async (request, user) => {
  const { holder } = await body(request, holderRequest);
  return Response.json({ released: releaseLeases(getDb(), claimantOf(user, holder).holder) } satisfies ReleaseAnswer);
});
