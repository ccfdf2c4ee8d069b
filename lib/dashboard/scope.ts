import type { Db } from '@/db';
import { statement } from '@/db/statements';

/**
 * How to restrict a count over jobs or candidates to one dataset (verdicts are counted per dataset
 * by triggers: verdict_day_counts). Those tables carry no dataset_id, and reading each row's item
 * by primary key costs a random read of the (large) items table per row: 700k verdicts of 30 days
 * took ~2 s that way. So the sizes in
 * item_counts (exact, a few rows) pick the cheaper side:
 * - `all`: no filter, or the dataset holds every item (the usual one-dataset install);
 * - `only`: the dataset is the smaller side: walk its items (items_dataset_order) and each
 *   item's rows through their item index;
 * - `except`: the dataset is the larger side: count everything, then take off what the other
 *   datasets' items (the smaller side) contribute.
 * The cost follows min(dataset, rest) items, never both: at worst two datasets of equal size.
 */
export type Scope = { mode: 'all' } | { mode: 'only' | 'except'; datasetIds: number[] };

export function scopeOf(db: Db, datasetId: number | undefined): Scope {
  if (datasetId === undefined) return { mode: 'all' };
  const sizes = statement<[], { datasetId: number; n: number }>(
    db,
    'SELECT dataset_id AS datasetId, sum(n) AS n FROM item_counts GROUP BY dataset_id',
  ).all();
  const mine = sizes.find((s) => s.datasetId === datasetId)?.n ?? 0;
  const others = sizes.filter((s) => s.datasetId !== datasetId && s.n > 0);
  const rest = others.reduce((sum, s) => sum + s.n, 0);
  if (rest === 0) return { mode: 'all' };
  if (mine <= rest) return { mode: 'only', datasetIds: [datasetId] };
  return { mode: 'except', datasetIds: others.map((s) => s.datasetId) };
}

/** SQL: item `i` is in one of the datasets of the JSON array parameter :datasetIds (one index range each). */
export const IN_DATASETS = 'i.dataset_id IN (SELECT value FROM json_each(:datasetIds))';

/** Adds (sign 1) or takes off (sign -1) keyed counts: the `except` scope's subtraction. */
export function accumulate<Row>(into: Map<string, Row>, rows: Row[], key: (row: Row) => string, fields: (keyof Row)[], sign: 1 | -1) {
  for (const row of rows) {
    const k = key(row);
    const existing = into.get(k);
    if (!existing) {
      const copy = { ...row };
      for (const f of fields) (copy[f] as number) = sign * (row[f] as number);
      into.set(k, copy);
    } else {
      for (const f of fields) (existing[f] as number) += sign * (row[f] as number);
    }
  }
}
