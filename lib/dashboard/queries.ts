/**
 * The dashboard's figures, each a function that takes the db first. Every statement reads a
 * small table or an index alone: item_counts for progress, verdict_day_counts for the verdicts
 * per day (both kept by triggers in the writes' own transactions), jobs_kind_status and
 * candidates_regenerated for the jobs summary, one campaign's samples, one signal's range. A
 * dataset filter on jobs and candidates walks the smaller side (scope.ts). bench/dashboard.ts
 * measures them at 1.5M items.
 */
import type { Db } from '@/db';
import { readTransaction } from '@/db/transaction';
import { auditSummary, type CampaignSummary } from './audits';
import { progressByTask, type Progress } from './progress';
import { regenerationSummary, type RegenerationSummary } from './regeneration';
import { verdictsPerDay, type VerdictDay } from './verdicts';

export { auditSummary, type CampaignSummary } from './audits';
export { progressByTask, type Progress, type TaskProgress } from './progress';
export { regenerationSummary, type JobKindSummary, type RegenerationSummary } from './regeneration';
export { bucketEdges, downsample, signalNames, signalVsHuman, type SignalVsHuman } from './signals';
export { verdictsPerDay, type VerdictDay } from './verdicts';

export interface DashboardSummary {
  /** null: every dataset. */
  datasetId: number | null;
  generatedAt: number;
  progress: Progress;
  verdictsPerDay: VerdictDay[];
  regeneration: RegenerationSummary;
  audits: CampaignSummary[];
}

/** Everything /dashboard shows; GET /api/dashboard answers it. */
export function dashboardSummary(db: Db, datasetId?: number, now = Date.now()): DashboardSummary {
  // One read transaction, so every figure is of the same moment.
  return readTransaction(db, () => ({
    datasetId: datasetId ?? null,
    generatedAt: now,
    progress: progressByTask(db, datasetId),
    verdictsPerDay: verdictsPerDay(db, { datasetId, now }),
    regeneration: regenerationSummary(db, datasetId),
    audits: auditSummary(db, datasetId),
  }));
}
