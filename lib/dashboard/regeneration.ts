import type { Db } from '@/db';
import { readTransaction } from '@/db/transaction';
import { statement } from '@/db/statements';
import type { JobStatus } from '@/db/schema';
import { KIND_IDS, type JobKind } from '@/lib/jobs/kinds';
import { wilsonInterval, type ProportionInterval } from '@/lib/stats/proportion';
import { accumulate, IN_DATASETS, scopeOf } from './scope';

/** Every kind is shown, in the kinds' order, even before its first job. */
export const JOB_KINDS: readonly JobKind[] = KIND_IDS;
export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const satisfies readonly JobStatus[];

export interface JobKindSummary {
  kind: JobKind;
  total: number;
  byStatus: Record<JobStatus, number>;
  /** succeeded / (succeeded + failed), 95% Wilson; cancelled jobs count as neither. */
  successRate: ProportionInterval | null;
  /**
   * Money committed (USD, jobs.spent_usd, lib/jobs/spend.ts): actual costs, calls cut off at their
   * reservation (they may have been billed), and running calls' reservations; any status.
   */
  spentUsd: number;
  /** spentUsd / succeeded (failed and cut-off attempts included); null before any success. */
  usdPerSuccess: number | null;
  /** Still to be spent (USD): queued jobs' estimates, running jobs' estimates beyond what they committed. */
  pendingUsd: number;
}

export interface RegenerationSummary {
  kinds: JobKindSummary[];
  totals: { jobs: number; spentUsd: number; pendingUsd: number };
  /** Regenerated candidates (each made by a job) and their automatic padding check. */
  padding: {
    candidates: number;
    checked: number;
    failed: number;
    /** failed / checked, 95% Wilson; null before any check. */
    failureShare: ProportionInterval | null;
  };
}

type JobRow = { kind: JobKind; status: JobStatus; n: number; spent: number; pending: number };
type PaddingRow = { candidates: number; checked: number; failed: number };

/* What each group of jobs committed and has still to spend (see JobKindSummary). */
const MONEY = (j: string) => `total(${j}spent_usd) AS spent,
  total(CASE ${j}status WHEN 'queued' THEN ${j}cost_usd WHEN 'running' THEN max(0, ${j}cost_usd - ${j}spent_usd) ELSE 0 END) AS pending`;
/*
 * Every job: a walk of jobs_kind_status (kind, status, cost_usd, spent_usd), which holds all the
 * columns, in GROUP BY order: no job row is read (about 0.15 s per million jobs, bench/README.md).
 */
const JOBS_ALL = `SELECT kind, status, count(*) AS n, ${MONEY('')} FROM jobs INDEXED BY jobs_kind_status GROUP BY kind, status`;
/* Some datasets' jobs: their items, then each item's jobs (see scope.ts). */
const JOBS_OF_ITEMS = `SELECT j.kind, j.status, count(*) AS n, ${MONEY('j.')}
  FROM items i INDEXED BY items_dataset_order CROSS JOIN jobs j INDEXED BY jobs_item
  WHERE ${IN_DATASETS} AND j.item_id = i.id GROUP BY j.kind, j.status`;
/*
 * Regenerated candidates are exactly those made by a job: the partial candidates_regenerated index
 * (origin, padding_ok WHERE job_id IS NOT NULL) lists them with both columns, so no candidate row is read.
 */
const PADDING_ALL = `SELECT count(*) AS candidates, count(padding_ok) AS checked, coalesce(sum(padding_ok = 0), 0) AS failed
  FROM candidates INDEXED BY candidates_regenerated WHERE job_id IS NOT NULL AND origin = 'regenerated'`;
const PADDING_OF_ITEMS = `SELECT count(*) AS candidates, count(c.padding_ok) AS checked, coalesce(sum(c.padding_ok = 0), 0) AS failed
  FROM items i INDEXED BY items_dataset_order CROSS JOIN candidates c INDEXED BY candidates_item
  WHERE ${IN_DATASETS} AND c.item_id = i.id AND c.job_id IS NOT NULL AND c.origin = 'regenerated'`;

function emptyKind(kind: JobKind): JobKindSummary {
  const byStatus = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
  return { kind, total: 0, byStatus, successRate: null, spentUsd: 0, usdPerSuccess: null, pendingUsd: 0 };
}

/** Jobs per kind by status, success rate, spend, and the padding-check failures of regenerated candidates. */
export function regenerationSummary(db: Db, datasetId?: number): RegenerationSummary {
  // One read transaction: with the `except` scope, the whole and the part come from one snapshot.
  return readTransaction(db, () => summarize(db, datasetId));
}

function summarize(db: Db, datasetId: number | undefined): RegenerationSummary {
  const scope = scopeOf(db, datasetId);
  const jobRows = new Map<string, JobRow>();
  const padding: PaddingRow = { candidates: 0, checked: 0, failed: 0 };
  const addPadding = (row: PaddingRow, sign: 1 | -1) => {
    padding.candidates += sign * row.candidates;
    padding.checked += sign * row.checked;
    padding.failed += sign * row.failed;
  };
  const key = (row: JobRow) => `${row.kind}\0${row.status}`;
  if (scope.mode !== 'only') {
    accumulate(jobRows, statement<[], JobRow>(db, JOBS_ALL).all(), key, ['n', 'spent', 'pending'], 1);
    addPadding(statement<[], PaddingRow>(db, PADDING_ALL).get()!, 1);
  }
  if (scope.mode !== 'all') {
    const sign = scope.mode === 'only' ? 1 : -1;
    const params = { datasetIds: JSON.stringify(scope.datasetIds) };
    accumulate(jobRows, statement<[typeof params], JobRow>(db, JOBS_OF_ITEMS).all(params), key, ['n', 'spent', 'pending'], sign);
    addPadding(statement<[typeof params], PaddingRow>(db, PADDING_OF_ITEMS).get(params)!, sign);
  }

  const kinds = new Map<JobKind, JobKindSummary>(JOB_KINDS.map((kind) => [kind, emptyKind(kind)]));
  for (const row of jobRows.values()) {
    if (row.n === 0) continue;
    let summary = kinds.get(row.kind);
    if (!summary) kinds.set(row.kind, (summary = emptyKind(row.kind))); // a kind added later: shown, not dropped
    summary.total += row.n;
    summary.byStatus[row.status] = (summary.byStatus[row.status] ?? 0) + row.n;
    summary.spentUsd += row.spent;
    summary.pendingUsd += row.pending;
  }
  const list = [...kinds.values()].map((k) => ({
    ...k,
    successRate: wilsonInterval(k.byStatus.succeeded, k.byStatus.succeeded + k.byStatus.failed),
    usdPerSuccess: k.byStatus.succeeded ? k.spentUsd / k.byStatus.succeeded : null,
  }));
  return {
    kinds: list,
    totals: {
      jobs: list.reduce((sum, k) => sum + k.total, 0),
      spentUsd: list.reduce((sum, k) => sum + k.spentUsd, 0),
      pendingUsd: list.reduce((sum, k) => sum + k.pendingUsd, 0),
    },
    padding: { ...padding, failureShare: wilsonInterval(padding.failed, padding.checked) },
  };
}
