import type { Db } from '@/db';
import { statement } from '@/db/statements';

/**
 * What counts as worth a look, for summaries (each a range of the signals_rank index):
 * residual padding above the regeneration check's limit (0.5% of the picture), an edit that
 * changed (almost) no pixel, and one that changed nearly every pixel.
 */
export const FLAG_THRESHOLDS = { padding: 0.005, unchanged: 0.001, allChanged: 0.9 } as const;

export interface SignalFlags {
  /** Candidates of the dataset with the per-candidate signals. */
  measured: number;
  padded: number;
  unchanged: number;
  allChanged: number;
}

/** Counts of flagged candidates in a dataset, from index ranges (no table scan). */
export function signalFlags(db: Db, datasetId: number): SignalFlags {
  const count = (name: string, op: '>' | '<' | 'all', bound = 0) =>
    statement<[number, string, number], number>(
      db,
      `SELECT count(*) FROM signals WHERE dataset_id = ? AND name = ? AND ${op === 'all' ? 'value >= ?' : `value ${op} ?`}`,
    )
      .pluck()
      .get(datasetId, name, op === 'all' ? -1e308 : bound) ?? 0;
  return {
    measured: count('ssim', 'all'),
    padded: count('padding_residual', '>', FLAG_THRESHOLDS.padding),
    unchanged: count('changed_fraction', '<', FLAG_THRESHOLDS.unchanged),
    allChanged: count('changed_fraction', '>', FLAG_THRESHOLDS.allChanged),
  };
}
