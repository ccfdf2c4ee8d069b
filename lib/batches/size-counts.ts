import type Database from 'better-sqlite3';
import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { writeTransaction } from '@/db/transaction';

/**
 * item_size_counts (db/schema.ts): items per (dataset, family, task, instruction type, status, source
 * size), so a batch estimate sums a few hundred rows instead of grouping every matching item (2 s at
 * 1.5M). The importer does not count into it: items above its watermark are counted here, after the
 * import, in short write transactions; triggers count the updates and deletes of items already counted.
 * Until the counting catches up, an estimate groups the items above the watermark itself (batch.ts).
 */

/** Catch-up transactions aim at this long (as the search index build's), so a verdict never waits longer behind one. */
const TARGET_MS = 25;
/**
 * The pause after each: a writer on another connection (a worker thread, `loupe import`) polls a busy
 * lock every 1-25 ms in its first ~130 ms of waiting (SQLite's busy handler), so a pause as long as a
 * chunk lets it in within about one chunk; a bare yield to the event loop (microseconds) never would.
 */
const PAUSE_MS = 25;
/** Item ids in the first catch-up transaction; the next ones are sized from the time the last one took. */
const FIRST_CHUNK = 5_000;
const MIN_CHUNK = 500;
const MAX_CHUNK = 100_000;
/** A backlog up to this many item ids is counted inside the estimate's own call (~10 ms at 1.5M-item speeds). */
const INLINE_IDS = 5_000;

const GROUP_COLUMNS = 'dataset_id, family, task, instruction_type, status, source_width, source_height';

function watermark(db: Db): number {
  return statement<[], number>(db, 'SELECT coalesce((SELECT item_id FROM item_size_watermark WHERE id = 1), 0)').pluck().get()!;
}

const newestItem = (db: Db) => statement<[], number>(db, 'SELECT coalesce(max(id), 0) FROM items').pluck().get()!;

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

/** Counts the next `size` item ids above the watermark in one IMMEDIATE transaction; the ids it spanned (0: none left). */
export function countNextChunk(db: Db, size: number): number {
  return writeTransaction(db, () => {
    const from = watermark(db);
    const to = Math.min(newestItem(db), from + size);
    if (to <= from) return 0;
    countRange(db, from, to);
    return to - from;
  });
}

export interface CatchUp {
  /** Item ids spanned (imported items, and ids of items deleted since). */
  counted: number;
  transactions: number;
  /** The longest write transaction (ms): how long a writer could wait behind the catch-up. */
  longestMs: number;
}

/**
 * Brings item_size_counts up to the newest item in short write transactions, with a pause between
 * them (the server keeps answering; a verdict, here or on another connection, waits behind one chunk
 * at most). The chunk size follows the time the last one took, toward TARGET_MS. Resumes from the
 * watermark. At 1.5M items: a few seconds, in the background.
 */
export async function catchUpSizeCounts(
  db: Db,
  { chunk, shouldStop }: { /** A fixed chunk (tests); adaptive without. */ chunk?: number; shouldStop?: () => boolean } = {},
): Promise<CatchUp> {
  const result: CatchUp = { counted: 0, transactions: 0, longestMs: 0 };
  let size = chunk ?? FIRST_CHUNK;
  while (!shouldStop?.()) {
    const start = performance.now();
    const n = countNextChunk(db, size);
    if (n === 0) break;
    const ms = performance.now() - start;
    result.counted += n;
    result.transactions++;
    result.longestMs = Math.max(result.longestMs, ms);
    // At most doubling: a chunk that ran fast on cached pages must not make the next one far too long.
    if (chunk === undefined) size = Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, 2 * size, Math.round((size * TARGET_MS) / Math.max(ms, 1))));
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
  return result;
}

/** Connections with a catch-up running in the background: one at a time. */
const catchingUp = new WeakSet<Database.Database>();

function catchUpInBackground(db: Db) {
  if (catchingUp.has(db.$client)) return;
  catchingUp.add(db.$client);
  catchUpSizeCounts(db, { shouldStop: () => !db.$client.open })
    .catch((error) => console.error(`loupe: counting item sizes failed: ${error instanceof Error ? error.message : String(error)}`))
    .finally(() => catchingUp.delete(db.$client));
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
 * Before an estimate reads item_size_counts. A small backlog (up to INLINE_IDS item ids) is counted
 * now, in one short transaction that then checks the dataset's rows against item_counts (exact, kept
 * by the importer and triggers) and counts the dataset again when they disagree (an item id used again
 * after the newest items were deleted is never counted otherwise). A larger one (an import) is left to
 * a catch-up in the background: `behind` is then true, and the estimate groups the items above the
 * watermark itself.
 */
export function refreshSizeCounts(db: Db, datasetId: number): { counted: number; recounted: boolean; behind: boolean } {
  const inline = writeTransaction(db, () => {
    const from = watermark(db);
    const newest = newestItem(db);
    if (newest - from > INLINE_IDS) return undefined;
    if (newest > from) countRange(db, from, newest);
    if (disagreements(db, datasetId) === 0) return { counted: Math.max(0, newest - from), recounted: false, behind: false };
    statement(db, 'DELETE FROM item_size_counts WHERE dataset_id = ?').run(datasetId);
    statement(
      db,
      `INSERT INTO item_size_counts (${GROUP_COLUMNS}, n)
       SELECT ${GROUP_COLUMNS}, count(*) FROM items WHERE dataset_id = ? AND id <= ? GROUP BY ${GROUP_COLUMNS}`,
    ).run(datasetId, newest);
    return { counted: Math.max(0, newest - from), recounted: true, behind: false };
  });
  if (inline) return inline;
  catchUpInBackground(db);
  return { counted: 0, recounted: false, behind: true };
}
