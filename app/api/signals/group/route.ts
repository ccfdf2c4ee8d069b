import { z } from 'zod';
import { getDb } from '@/db';
import { route } from '@/lib/auth/guard';
import { getDataset } from '@/lib/datasets';
import { body, jsonError } from '@/lib/http/handler';
import { groupNearDuplicates } from '@/lib/signals/groups';

export const dynamic = 'force-dynamic';

const groupRequest = z.object({
  datasetId: z.number().int().positive(),
  maxDistance: z.number().int().min(0).max(32).optional(),
});

/** POST /api/signals/group: group a dataset's near-duplicate sources and edits by pHash (dup_source, dup_edit). */
export const POST = route('manage', async (request) => {
  const { datasetId, maxDistance } = await body(request, groupRequest);
  const db = getDb();
  if (!getDataset(db, datasetId)) return jsonError(`dataset ${datasetId} not found`, 404);
  return Response.json({ groups: await groupNearDuplicates(db, datasetId, { maxDistance }) });
});
