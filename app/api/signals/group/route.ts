import { getDb } from '@/db';
import { groupRequest, type GroupAnswer } from '@/lib/api/signals';
import { route } from '@/lib/auth/guard';
import { getDataset } from '@/lib/datasets';
import { body, jsonError } from '@/lib/http/handler';
import { groupNearDuplicates } from '@/lib/signals/groups';

export const dynamic = 'force-dynamic';

/** POST /api/signals/group: group a dataset's near-duplicate sources and edits by pHash (dup_source, dup_edit). */
export const POST = route('manage', async (request) => {
  const { datasetId, maxDistance } = await body(request, groupRequest);
  const db = getDb();
  if (!getDataset(db, datasetId)) return jsonError(`dataset ${datasetId} not found`, 404);
  return Response.json({ groups: await groupNearDuplicates(db, datasetId, { maxDistance }) } satisfies GroupAnswer);
});
