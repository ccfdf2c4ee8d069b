import { getDb } from '@/db';
import { dashboardQuery, type DashboardAnswer } from '@/lib/api/dashboard';
import { route } from '@/lib/auth/guard';
import { getDataset } from '@/lib/datasets';
import { LoupeError } from '@/lib/errors';
import { offThread } from '@/lib/offload/pool';
import { DASHBOARD_SUMMARY } from '@/lib/dashboard/offload';

export const dynamic = 'force-dynamic';

/**
 * GET /api/dashboard?datasetId=: progress per family/task, verdicts per day (30 days), jobs and spend per kind, audit pass rates; every dataset without datasetId.
 * Computed on the offload worker (its first call counts 30 days of verdicts), so other requests do not wait.
 */
export const GET = route('view', async (request) => {
  const { datasetId } = dashboardQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const db = getDb();
  if (datasetId !== undefined && !getDataset(db, datasetId)) throw new LoupeError('not_found', `dataset ${datasetId} not found`);
  return Response.json((await offThread(db, DASHBOARD_SUMMARY, datasetId ?? null, Date.now())) satisfies DashboardAnswer);
});
