import { z } from 'zod';
import { getDb } from '@/db';
import { route } from '@/lib/auth/guard';
import { dashboardSummary } from '@/lib/dashboard/queries';
import { getDataset } from '@/lib/datasets';
import { decimalId } from '@/lib/http/params';
import { LoupeError } from '@/lib/errors';

export const dynamic = 'force-dynamic';

const emptyIsMissing = (value: unknown) => (value === '' ? undefined : value);
const query = z.object({
  datasetId: z.preprocess(emptyIsMissing, decimalId('datasetId must be a dataset id').optional()),
});

/** GET /api/dashboard?datasetId=: progress per family/task, verdicts per day (30 days), jobs and spend per kind, audit pass rates; every dataset without datasetId. */
export const GET = route('view', (request) => {
  const { datasetId } = query.parse(Object.fromEntries(new URL(request.url).searchParams));
  const db = getDb();
  if (datasetId !== undefined && !getDataset(db, datasetId)) throw new LoupeError('not_found', `dataset ${datasetId} not found`);
  return Response.json(dashboardSummary(db, datasetId));
});
