import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { writeTransaction } from '@/db/transaction';

/**
 * item_size_counts (db/schema.ts): items per (dataset, family, task, instruction type, status, source
 * size), so a batch estimate sums a few hundred rows instead of grouping every matching item (2 s at
 * 1.5M). The importer does not count into it: items are counted here, up to the newest, before it is
 * read (the first estimate after a large import counts that import once); triggers count the updates
 * and deletes of items already counted.
 */

/** Items counted per write transaction while catching up, so writers never wait long behind it. */
const CATCH_UP_CHUNK = 250_000;

const GROUP_COLUMNS = 'dataset_id, family, task, instruction_type, status, source_width, source_height';

function watermark(db: Db): number {
  return statement<[], number>(db, 'SELECT coalesce((SELECT item_id FROM item_size_watermark WHERE id = 1), 0)').pluck().get()!;
}

/** Counts the items in (from, to] and moves the watermark to `to`; inside a write transaction. */
function countRange(db: Db, from: number, to: number) {
  statement(
    db,
    `INSERT INTO item_size_counts (${GROUP_COLUMNS}, n)
     SELECT ${GROUP_COLUMNS}, count(*) FROM items WHERE id > ? AND id <= ? GROUP BY ${GROUP_COLUMNS}
     ON CONFLICT DO UPDATE SET n = n + excluded.n`,
  ).run(from, to);
  statement(
    db,
    `INSERT INTO item_size_watermark (id, item_id) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET item_id = excluded.item_id`,
  ).run(to);
}

/** The (family, task, instruction type, status) totals of a dataset that item_counts and item_size_counts disagree on. */
function disagreements(db: Db, datasetId: number): number {
  const totals = (table: string) =>
    `SELECT family, task, instruction_type, status, sum(n) FROM ${table} WHERE dataset_id = ?
     GROUP BY family, task, instruction_type, status HAVING sum(n) != 0`;
  return statement<[number, number, number, number], number>(
    db,
    `SELECT count(*) FROM (SELECT * FROM (${totals('item_counts')} EXCEPT ${totals('item_size_counts')})
                           UNION ALL SELECT * FROM (${totals('item_size_counts')} EXCEPT ${totals('item_counts')}))`,
  )
    .pluck()
    .get(datasetId, datasetId, datasetId, datasetId)!;
}

/**
 * Brings item_size_counts up to the newest item, then checks the dataset's rows against item_counts
 * (exact, kept by the importer and triggers) in the same transaction, and counts the dataset again when
 * they disagree (an item id used again after the newest items were deleted is never counted otherwise).
 */
export function refreshSizeCounts(db: Db, datasetId: number): { counted: number; recounted: boolean } {
  let counted = 0;
  for (;;) {
    const done = writeTransaction(db, () => {
      const from = watermark(db);
      const newest = statement<[], number>(db, 'SELECT coalesce(max(id), 0) FROM items').pluck().get()!;
      const to = Math.min(newest, from + CATCH_UP_CHUNK);
      if (to > from) {
        countRange(db, from, to);
        counted += to - from;
      }
      if (to < newest) return undefined; // more to count: in the next transaction
      if (disagreements(db, datasetId) === 0) return { counted, recounted: false };
      statement(db, 'DELETE FROM item_size_counts WHERE dataset_id = ?').run(datasetId);
      statement(
        db,
        `INSERT INTO item_size_counts (${GROUP_COLUMNS}, n)
         SELECT ${GROUP_COLUMNS}, count(*) FROM items WHERE dataset_id = ? AND id <= ? GROUP BY ${GROUP_COLUMNS}`,
      ).run(datasetId, newest);
      return { counted, recounted: true };
    });
    if (done) return done;
  }
}
