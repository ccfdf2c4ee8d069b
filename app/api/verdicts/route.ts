import { getDb } from '@/db';
import { verdictRequest, type VerdictAnswer } from '@/lib/api/reviews';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { claimantOf, queueFilterFor, queueProgress } from '@/lib/review/queue';
import { recordVerdict } from '@/lib/review/verdicts';

export const dynamic = 'force-dynamic';

/** POST /api/verdicts: accept, reject (with reasons) or skip an item the page holds. */
export const POST = route('review', async (request, user) => {
  const { holder, filter, reasons, ...verdict } = await body(request, verdictRequest);
  const db = getDb();
  // The item's status is not returned: it would tell an annotator which items are gold.
  const { verdictId } = recordVerdict(db, claimantOf(user, holder), { ...verdict, reasons });
  return Response.json({ verdictId, progress: queueProgress(db, queueFilterFor(filter, user.roles)) } satisfies VerdictAnswer);
});
