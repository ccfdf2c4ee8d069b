import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { writeTransaction } from '@/db/transaction';
import { LoupeError } from '@/lib/errors';
import { descriptionOf, instructionsOf } from './document';

/** The last item id the index holds (every item up to it is indexed). */
const watermark = (db: Db) => statement<[], number>(db, 'SELECT items_done FROM search_state WHERE id = 1').pluck().get() ?? 0;

/**
 * Indexes the next `size` items above the watermark and moves it past them, in one IMMEDIATE
 * transaction: a killed build loses nothing and repeats nothing. Items are read in id order
 * (keyset), their scopes made first. Returns how many were indexed (0: the index is complete).
 */
export function indexNextChunk(db: Db, size: number): number {
  return writeTransaction(db, () => {
    const from = watermark(db);
    const range = statement<[number, number], { to: number | null; n: number }>(
      db,
      'SELECT max(id) AS "to", count(*) AS n FROM (SELECT id FROM items WHERE id > ? ORDER BY id LIMIT ?)',
    ).get(from, size)!;
    if (range.to === null) return 0;
    statement(
      db,
      `INSERT OR IGNORE INTO search_scopes (dataset_id, family, task)
       SELECT DISTINCT dataset_id, family, task FROM items WHERE id > ? AND id <= ?`,
    ).run(from, range.to);
    statement(
      db,
      `INSERT INTO search_index (rowid, instructions, description, scope)
       SELECT i.id, ${instructionsOf('i')}, ${descriptionOf('i')}, 's' || s.id
       FROM items i JOIN search_scopes s ON s.dataset_id = i.dataset_id AND s.family = i.family AND s.task = i.task
       WHERE i.id > ? AND i.id <= ?`,
    ).run(from, range.to);
    statement(db, 'UPDATE search_state SET items_done = ? WHERE id = 1').run(range.to);
    return range.n;
  });
}

export interface SearchStatus {
  /** Every item of the dataset is indexed: its searches read the index alone. */
  ready: boolean;
  /** The dataset's items indexed, of all its items (while building, the rest are scanned: found, slower). */
  indexed: number;
  total: number;
}

/** Whether the index holds every item (of the dataset, when given): a seek past the watermark. */
export const searchReady = (db: Db, datasetId?: number) =>
  datasetId === undefined
    ? !statement<[], number>(db, 'SELECT EXISTS (SELECT 1 FROM items WHERE id > (SELECT items_done FROM search_state WHERE id = 1))')
        .pluck()
        .get()
    : !statement<[number], number>(
        db,
        // +dataset_id: walk the ids past the watermark (few), not the dataset's index (all its items).
        'SELECT EXISTS (SELECT 1 FROM items WHERE id > (SELECT items_done FROM search_state WHERE id = 1) AND +dataset_id = ?)',
      )
        .pluck()
        .get(datasetId);

/**
 * The index's progress for a dataset (all datasets without one), for "the search index is still
 * building (N of M)". The total comes from item_counts; the items not indexed yet (those past
 * the watermark) are counted only while there are some.
 */
export function searchStatus(db: Db, datasetId?: number): SearchStatus {
  const total =
    statement<[number | null, number | null], number>(db, 'SELECT coalesce(sum(n), 0) FROM item_counts WHERE ? IS NULL OR dataset_id = ?')
      .pluck()
      .get(datasetId ?? null, datasetId ?? null) ?? 0;
  if (searchReady(db, datasetId)) return { ready: true, indexed: total, total };
  const rest =
    statement<[number | null, number | null], number>(
      db,
      'SELECT count(*) FROM items WHERE id > (SELECT items_done FROM search_state WHERE id = 1) AND (? IS NULL OR +dataset_id = ?)',
    )
      .pluck()
      .get(datasetId ?? null, datasetId ?? null) ?? 0;
  return { ready: false, indexed: Math.max(0, total - rest), total };
}

/** One dataset's searchStatus; not_found (404) when there is no such dataset. */
export function datasetSearchStatus(db: Db, datasetId: number): SearchStatus {
  if (!statement<[number], number>(db, 'SELECT 1 FROM datasets WHERE id = ?').pluck().get(datasetId)) {
    throw new LoupeError('not_found', `dataset ${datasetId} not found`);
  }
  return searchStatus(db, datasetId);
}

/** Chunks aim at this long a write transaction, so a verdict or a job never waits longer behind the build. */
const TARGET_MS = 25;

/**
 * Builds the index up to the last item, in short transactions, yielding to the event loop between
 * them (the server keeps answering). The chunk size adapts to keep each near TARGET_MS.
 * Resumes from the watermark wherever an earlier build stopped.
 */
export async function buildSearchIndex(
  db: Db,
  options: { chunk?: number; onProgress?: (status: SearchStatus) => void; shouldStop?: () => boolean } = {},
): Promise<{ indexed: number; seconds: number }> {
  const started = performance.now();
  let size = options.chunk ?? 500;
  const adapt = options.chunk === undefined;
  let indexed = 0;
  // Progress counts from one status (counting the rest per chunk would cost more than the chunk).
  const before = options.onProgress ? searchStatus(db) : undefined;
  for (;;) {
    if (options.shouldStop?.()) break;
    const chunkStart = performance.now();
    const n = indexNextChunk(db, size);
    if (n === 0) break;
    indexed += n;
    const ms = performance.now() - chunkStart;
    if (adapt) size = Math.max(100, Math.min(20_000, Math.round(ms < TARGET_MS / 2 ? size * 2 : ms > TARGET_MS * 2 ? size / 2 : size)));
    if (before) options.onProgress?.({ ready: false, indexed: Math.min(before.total, before.indexed + indexed), total: before.total });
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { indexed, seconds: (performance.now() - started) / 1000 };
}
