import { getDb } from '@/db';
import { body, handle, jsonError } from '@/lib/http/handler';
import { getReviewItem } from '@/lib/review/items';
import { queueProgress } from '@/lib/review/queue';
import { undoRequest } from '@/lib/review/requests';
import { undoLastVerdict } from '@/lib/review/verdicts';

export const dynamic = 'force-dynamic';

/** POST /api/verdicts/undo: undo the reviewer's latest verdict; the item comes back to the page. */
export async function POST(request: Request) {
  return handle(async () => {
    const { holder, reviewer, filter } = await body(request, undoRequest);
    const db = getDb();
    const undone = undoLastVerdict(db, { holder, reviewer });
    if (!undone) return jsonError('nothing to undo', 404);
    return Response.json({ ...undone, item: getReviewItem(db, undone.itemId), progress: queueProgress(db, filter) });
  });
}
