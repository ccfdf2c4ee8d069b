/**
 * The dashboard's reads as offload tasks (lib/offload/pool.ts): GET /api/dashboard and
 * /api/dashboard/signal run them on the offload worker, so the server's thread never reads a
 * signal's 20k-pair sample (about 0.1 s at 1.5M items) or walks the jobs index.
 */
import type { Db } from '@/db';
import type { OffloadTask } from '@/lib/offload/pool';
import { dashboardSummary as summary, type DashboardSummary } from './queries';
import { signalVsHuman as signalRead, type SignalVsHuman } from './signals';

const MODULE = 'lib/dashboard/offload.ts';

/** dashboardSummary (every dataset with a null id) as of `now`. */
export function summaryTask(db: Db, datasetId: number | null, now: number): DashboardSummary {
  return summary(db, datasetId ?? undefined, now);
}

export function signalTask(db: Db, datasetId: number, signal: string): SignalVsHuman {
  return signalRead(db, { datasetId, signal });
}

export const DASHBOARD_SUMMARY: OffloadTask<[datasetId: number | null, now: number], DashboardSummary> = {
  module: MODULE,
  name: 'summaryTask',
  run: summaryTask,
};

export const SIGNAL_VS_HUMAN: OffloadTask<[datasetId: number, signal: string], SignalVsHuman> = {
  module: MODULE,
  name: 'signalTask',
  run: signalTask,
};
