import { getDb } from '@/db';
import { undoRequest, type UndoAnswer } from '@/lib/api/reviews';
import { route } from '@/lib/auth/guard';
import { body, jsonError } from '@/lib/http/handler';
import { claimantOf, queueFilterFor, queueProgress } from '@/lib/review/queue';
import { queueItem } from '@/lib/review/queue-view';
import { undoLastVerdict } from '@/lib/review/verdicts';

export const dynamic = 'force-dynamic';

/** POST /api/verdicts/undo: undo the reviewer's latest verdict; the item comes back to the page. */
export const POST = route('review', async (request, user) => {
  const { holder, filter } = await body(request, undoRequest);
  const db = getDb();
  const undone = undoLastVerdict(db, claimantOf(user, holder));
  if (!undone) return jsonError('nothing to undo', 404);
  // The undone verdict's item exists: items are never deleted.
  return Response.json({
    ...undone,
    item: queueItem(db, undone.itemId)!,
    progress: queueProgress(db, queueFilterFor(filter, user.roles)),
  } satisfies UndoAnswer);
});
