import type { Db } from '@/db';
import { statement } from '@/db/statements';

export { SIGNALS_VERSION } from './version';

/** The per-candidate signals a `signals` job computes (a candidate "has its signals" when it has all four, at SIGNALS_VERSION). */
export const PAIR_SIGNALS = ['padding_residual', 'ssim', 'changed_fraction', 'phash'] as const;

/** SQL list of the per-candidate names, for `name IN (...)`. */
export const PAIR_SIGNALS_SQL = PAIR_SIGNALS.map((name) => `'${name}'`).join(', ');

export interface SignalRow {
  candidateId: number;
  itemId: number;
  datasetId: number;
  name: string;
  value: number | null;
  /** JSON text. */
  detail: string;
  jobId: number | null;
  computedAt: number;
}

/** Writes one signal, replacing the candidate's earlier value of it (call inside a transaction when writing many). */
export function upsertSignal(db: Db, row: SignalRow): void {
  statement(
    db,
    `INSERT INTO signals (candidate_id, item_id, dataset_id, name, value, detail, job_id, computed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (candidate_id, name) DO UPDATE SET item_id = excluded.item_id, dataset_id = excluded.dataset_id,
       value = excluded.value, detail = excluded.detail, job_id = excluded.job_id, computed_at = excluded.computed_at`,
  ).run(row.candidateId, row.itemId, row.datasetId, row.name, row.value, row.detail, row.jobId, row.computedAt);
}

export interface StoredSignal {
  name: string;
  value: number | null;
  detail: Record<string, unknown>;
  jobId: number | null;
  computedAt: number;
}

/** A candidate's signals by name. */
export function candidateSignals(db: Db, candidateId: number): Record<string, StoredSignal> {
  const rows = statement<[number], Omit<StoredSignal, 'detail'> & { detail: string }>(
    db,
    'SELECT name, value, detail, job_id AS jobId, computed_at AS computedAt FROM signals WHERE candidate_id = ?',
  ).all(candidateId);
  return Object.fromEntries(rows.map((row) => [row.name, { ...row, detail: JSON.parse(row.detail) }]));
}
