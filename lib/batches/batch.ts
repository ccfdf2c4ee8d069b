import { z } from 'zod';
import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { actorNameSql } from '@/lib/auth/actors';
import type { ItemStatus, JobStatus } from '@/db/schema';
import { filterSql, hasExtraTerms, ITEM_STATUSES, listFilterSchema, type ListFilter } from '../filter/filter';
import { HELD_UNTIL, PENDING_HOLDER } from '../jobs/batch-driver';
import { kindOf, type BatchKind } from '../jobs/kinds';
import { notConfigured, requestJob } from '../jobs/request';
import type { OpenAIConfig } from '../openai/config';
import { BATCH_PRICE_FACTOR } from '../openai/prices';
import { LoupeError } from '@/lib/errors';
import { refreshSizeCounts } from './size-counts';
import type { BatchPath, BatchVia } from './via';

export { ITEM_STATUSES };

/** The items a batch covers: the dataset page's shared filter (its status may also come on its own). */
export type BatchFilter = ListFilter & { status?: ItemStatus };

export const batchFilterSchema = z.object({
  filter: listFilterSchema,
  status: z.enum(ITEM_STATUSES).optional(),
});

/**
 * chooseBucket (lib/regenerate/recipe.ts) in SQL: the bucket nearest in log aspect is landscape when
 * w/h > sqrt(1.5), i.e. 2w² > 3h², portrait when h/w > sqrt(1.5), square otherwise (ties).
 * Exact in integers, so counting per bucket never needs one JS object per item.
 */
export const BUCKET_SQL = `CASE WHEN 2 * source_width * source_width > 3 * source_height * source_height THEN 'landscape'
  WHEN 2 * source_height * source_height > 3 * source_width * source_width THEN 'portrait' ELSE 'square' END`;

/** One size per bucket, standing for all its items in the kind's estimate. */
const BUCKET_SIZE: Record<string, { width: number; height: number }> = {
  square: { width: 1024, height: 1024 },
  landscape: { width: 1536, height: 1024 },
  portrait: { width: 1024, height: 1536 },
};

/** A cost that follows each size (the judge's image tokens) groups items by exact size (few distinct ones). */
const SIZE_SQL = `source_width || 'x' || source_height`;

/** How a kind's items are grouped for the estimate, and what one item of a group costs (with the kind's default parameters). */
function pricing(config: OpenAIConfig, id: BatchKind): { groupSql: string; perItem: (group: string) => number } {
  const kind = kindOf(id)!;
  const params = kind.params.parse({});
  if (kind.costDependsOn === 'size') {
    return {
      groupSql: SIZE_SQL,
      perItem: (group) => {
        const [width, height] = group.split('x').map(Number);
        return kind.estimate(config, { width, height }, params);
      },
    };
  }
  return { groupSql: BUCKET_SQL, perItem: (bucket) => kind.estimate(config, BUCKET_SIZE[bucket], params) };
}

const ACTIVE_SQL = `status IN ('queued', 'running')`;

/** The size of the GPT-Image-Edit-1.5M release, for the whole-dataset estimate's "at full scale" figure. */
export const FULL_RELEASE_ITEMS = 1_500_000;

export interface BatchEstimate {
  /** Items that would get a job (matching, without an active job of the kind). */
  items: number;
  /** At the path that will run (the synchronous or the Batch price). */
  estimatedUsd: number;
  /** Both paths' cost: synchronous, and through the OpenAI Batch API (half; null for a kind it does not take). */
  syncUsd: number;
  batchUsd: number | null;
  /** The path that will run for this many items and `via`. */
  path: BatchPath;
  /** LOUPE_BATCH_MIN_ITEMS: `auto` takes the Batch API from this many items. */
  minBatchItems: number;
  /** For a filter over the whole dataset: the same per-item cost at the full release's size. */
  fullRelease?: { items: number; syncUsd: number; batchUsd: number | null };
  /** Matching items left out because a job of the kind is already queued or running. */
  skippedActive: number;
}

/** The path a batch of `items` jobs of the kind takes. Throws when the Batch API is asked for a kind it cannot take. */
export function batchPath(config: OpenAIConfig, kind: BatchKind, items: number, via: BatchVia): BatchPath {
  const takesBatch = Boolean(kindOf(kind)?.batch);
  if (via === 'batch' && !takesBatch) throw new LoupeError('invalid', `${kind} jobs cannot go through the OpenAI Batch API`);
  return takesBatch && (via === 'batch' || (via === 'auto' && items >= config.LOUPE_BATCH_MIN_ITEMS)) ? 'batch' : 'sync';
}

/** The filter names no term but its dataset. */
function wholeDataset(filter: BatchFilter): boolean {
  return Object.entries(filter).every(([key, value]) => key === 'datasetId' || key === 'sort' || value === undefined);
}

/** A filter whose other terms leave at most this many items may walk their index and test each item against an id set. */
const WALK_INDEX_UP_TO = 20_000;

/**
 * How many items a batch would queue and what it should cost: the matching items per price group from
 * item_size_counts (lib/batches/size-counts.ts) when the filter has only the terms it holds, else from
 * one aggregate over the matching items; minus the items with an active job of the kind.
 */
export function estimateBatch(
  db: Db,
  config: OpenAIConfig,
  request: { kind: BatchKind; filter: BatchFilter; via?: BatchVia },
): BatchEstimate {
  const { where, params } = filterSql(request.filter, request.filter.status);
  const { groupSql, perItem } = pricing(config, request.kind);
  const { sort: _sort, status: _status, ...terms } = request.filter;
  let matching: { bucket: string; n: number }[];
  if (hasExtraTerms(terms)) {
    // A term item_size_counts cannot answer (text, signal, reviewer, ids…): group the matching items.
    // With an id-set term (ids, text, search: `items.id IN (…)`), the planner left to itself walks the
    // dataset's index and tests every item against the set, reading each item's row at random: about 3 s
    // quiet, 30 s under load, for a text filter at 1.5M items. NOT INDEXED walks the set instead, each
    // match read by primary key in id order: bounded by the matches (1.4M of a common word: about 1 s).
    // An ids term is at most 5,000 lookups; a text or search term keeps the index when the filter's
    // other terms leave few items (a task: a short walk beats reading every match of the dataset).
    let table = 'items';
    if (terms.ids !== undefined) table = 'items NOT INDEXED';
    else if (terms.text !== undefined || terms.search !== undefined) {
      const { datasetId, status, instructionType, family, task } = request.filter;
      const rest = filterSql({ datasetId, instructionType, family, task }, status);
      const restItems = statement<unknown[], number>(db, `SELECT coalesce(sum(n), 0) FROM item_counts WHERE ${rest.where}`)
        .pluck()
        .get(...rest.params)!;
      if (restItems > WALK_INDEX_UP_TO) table = 'items NOT INDEXED';
    }
    matching = statement<unknown[], { bucket: string; n: number }>(
      db,
      `SELECT ${groupSql} AS bucket, count(*) AS n FROM ${table} WHERE ${where} GROUP BY bucket`,
    ).all(...params);
  } else {
    // Its columns are named as the items' (filterSql and the grouping read them alike): a few hundred rows, not every item.
    // Items above its watermark (an import still being counted in the background) are grouped here, by a
    // range of ids; one statement, so both parts are of one snapshot.
    refreshSizeCounts(db, request.filter.datasetId);
    matching = statement<unknown[], { bucket: string; n: number }>(
      db,
      `SELECT bucket, sum(n) AS n FROM (
         SELECT ${groupSql} AS bucket, n FROM item_size_counts WHERE ${where}
         UNION ALL
         SELECT ${groupSql} AS bucket, 1 AS n FROM items NOT INDEXED
         WHERE id > (SELECT item_id FROM item_size_watermark WHERE id = 1) AND ${where})
       GROUP BY bucket HAVING sum(n) > 0`,
    ).all(...params, ...params);
  }
  // Active jobs are few next to items: join from them rather than probe jobs once per item.
  const active = statement<unknown[], { bucket: string; n: number }>(
    db,
    `SELECT ${groupSql} AS bucket, count(*) AS n
     FROM (SELECT item_id FROM jobs WHERE kind = ? AND ${ACTIVE_SQL}) AS a JOIN items ON items.id = a.item_id
     WHERE ${where} GROUP BY bucket`,
  ).all(request.kind, ...params);
  const activeIn = new Map(active.map((row) => [row.bucket, row.n]));
  let items = 0;
  let estimatedUsd = 0;
  for (const { bucket, n } of matching) {
    const queued = n - (activeIn.get(bucket) ?? 0);
    items += queued;
    estimatedUsd += queued * perItem(bucket);
  }
  const skippedActive = active.reduce((sum, row) => sum + row.n, 0);
  const path = batchPath(config, request.kind, items, request.via ?? 'auto');
  const takesBatch = Boolean(kindOf(request.kind)?.batch);
  const both = (usd: number) => ({ syncUsd: usd, batchUsd: takesBatch ? usd * BATCH_PRICE_FACTOR : null });
  // Per item as this dataset's items cost, at the full release's size.
  const averageUsd = items ? estimatedUsd / items : 0;
  return {
    items,
    estimatedUsd: path === 'batch' ? estimatedUsd * BATCH_PRICE_FACTOR : estimatedUsd,
    ...both(estimatedUsd),
    path,
    minBatchItems: config.LOUPE_BATCH_MIN_ITEMS,
    ...(wholeDataset(request.filter) && items > 0
      ? { fullRelease: { items: FULL_RELEASE_ITEMS, ...both(averageUsd * FULL_RELEASE_ITEMS) } }
      : {}),
    skippedActive,
  };
}

export interface BatchRequest {
  /** A kind declared `batchable` (lib/jobs/kinds). */
  kind: BatchKind;
  filter: BatchFilter;
  budgetUsd: number;
  requestedBy: string;
  /** Default `auto`. */
  via?: BatchVia;
}

/**
 * Creates a batch and queues one job per matching item without an active job of the kind.
 * Items are walked in (family, task, id) keyset pages, each queued in one transaction, with
 * the event loop let go between pages, so a 1.5M-item batch neither holds every id in memory
 * nor blocks the server. Queuing stops early if the batch is stopped meanwhile (budget spent).
 */
export async function startBatch(
  db: Db,
  config: OpenAIConfig,
  request: BatchRequest,
  { pageSize = 500 } = {},
): Promise<{ batchId: number; queued: number; estimatedUsd: number; path: BatchPath }> {
  const missing = notConfigured(kindOf(request.kind)!, config);
  if (missing) throw new LoupeError('invalid', missing);
  if (!(request.budgetUsd > 0)) throw new LoupeError('invalid', 'the budget must be a positive number of USD');
  const estimate = estimateBatch(db, config, request);
  if (estimate.items === 0) {
    throw new LoupeError(
      'invalid',
      estimate.skippedActive
        ? `all ${estimate.skippedActive} matching items already have a ${request.kind} job queued or running`
        : 'no items match this filter',
    );
  }
  const via = request.via ?? 'auto';
  const path = estimate.path;
  // `total` starts as the estimate, so batchProgress does not call a batch done while it is still being queued.
  const batchId = Number(
    statement(
      db,
      `INSERT INTO batches (kind, filter, budget_usd, estimated_usd, total, created_by, via, path) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      request.kind,
      JSON.stringify(request.filter),
      request.budgetUsd,
      estimate.estimatedUsd,
      estimate.items,
      request.requestedBy,
      via,
      path,
    ).lastInsertRowid,
  );
  // Batch-path jobs are queued already held for the OpenAI batch driver (lib/jobs/batch-driver.ts), so no job worker takes them.
  const hold = statement(db, `UPDATE jobs SET status = 'running', locked_by = ?, locked_until = ? WHERE id = ?`);
  const priceFactor = path === 'batch' ? BATCH_PRICE_FACTOR : 1;

  const { where, params } = filterSql(request.filter, request.filter.status);
  const notActive = `NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.item_id = items.id AND jobs.kind = ? AND jobs.${ACTIVE_SQL})`;
  const firstPage = statement<unknown[], Cursor>(
    db,
    `SELECT id, family, task FROM items WHERE ${where} AND ${notActive} ORDER BY family, task, id LIMIT ?`,
  );
  const nextPage = statement<unknown[], Cursor>(
    db,
    `SELECT id, family, task FROM items WHERE ${where} AND (family, task, id) > (?, ?, ?) AND ${notActive}
     ORDER BY family, task, id LIMIT ?`,
  );
  const batchStatus = statement<[number], string>(db, 'SELECT status FROM batches WHERE id = ?').pluck();
  const queueOne = (itemId: number) => requestJob(db, config, { kind: request.kind, itemId, requestedBy: request.requestedBy, batchId });
  const queuePage = db.$client.transaction((rows: Cursor[]) => {
    let done = 0;
    let usd = 0;
    for (const row of rows) {
      try {
        const queued = queueOne(row.id);
        if (path === 'batch') hold.run(PENDING_HOLDER, HELD_UNTIL, queued.jobId);
        usd += queued.estimatedUsd * priceFactor;
        done++;
      } catch (error) {
        if (!(error instanceof LoupeError)) throw error; // a job queued meanwhile by someone else: skip the item
      }
    }
    return { done, usd };
  });

  let queued = 0;
  let estimatedUsd = 0;
  try {
    let cursor: Cursor | undefined;
    for (;;) {
      const rows = cursor
        ? nextPage.all(...params, cursor.family, cursor.task, cursor.id, request.kind, pageSize)
        : firstPage.all(...params, request.kind, pageSize);
      if (rows.length === 0) break;
      const page = queuePage.immediate(rows);
      queued += page.done;
      estimatedUsd += page.usd;
      cursor = rows[rows.length - 1];
      if (rows.length < pageSize || batchStatus.get(batchId) !== 'running') break;
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    statement(db, 'UPDATE batches SET total = ?, estimated_usd = ? WHERE id = ?').run(queued, estimatedUsd, batchId);
  }
  return { batchId, queued, estimatedUsd, path };
}

interface Cursor {
  id: number;
  family: string;
  task: string;
}

export interface BatchProgress {
  id: number;
  kind: BatchKind;
  /** `interrupted`: the process queuing it died part-way (lib/runs/interrupted.ts); `total` is what it meant to queue. */
  status: 'running' | 'done' | 'stopped' | 'cancelled' | 'interrupted';
  filter: BatchFilter;
  total: number;
  counts: Record<JobStatus, number>;
  /** Money committed to its jobs: actual costs, plus calls cut off or still running at their reservation (lib/jobs/spend.ts). */
  spentUsd: number;
  budgetUsd: number;
  estimatedUsd: number;
  /** The path asked for, and the one its jobs take now (an expired OpenAI batch can send what is left to the job worker). */
  via: BatchVia;
  path: BatchPath;
  createdBy: string;
  createdAt: number;
}

/** A batch's jobs by status and what they cost; a running batch with nothing left to run becomes done. */
export function batchProgress(db: Db, batchId: number): BatchProgress {
  const batch = statement<[number], Omit<BatchProgress, 'counts' | 'spentUsd' | 'filter'> & { filter: string }>(
    db,
    `SELECT id, kind, status, filter, total, budget_usd AS budgetUsd, estimated_usd AS estimatedUsd, via, path,
            ${actorNameSql('created_by')} AS createdBy, created_at AS createdAt FROM batches WHERE id = ?`,
  ).get(batchId);
  if (!batch) throw new LoupeError('not_found', `batch ${batchId} not found`);
  const rows = statement<[number], { status: JobStatus; n: number; usd: number }>(
    db,
    'SELECT status, count(*) AS n, sum(spent_usd) AS usd FROM jobs WHERE batch_id = ? GROUP BY status',
  ).all(batchId);
  const counts: Record<JobStatus, number> = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
  for (const row of rows) counts[row.status] = row.n;
  const spentUsd = rows.reduce((sum, row) => sum + row.usd, 0);
  const jobs = rows.reduce((sum, row) => sum + row.n, 0);
  let status = batch.status;
  if (status === 'running' && counts.queued + counts.running === 0 && jobs >= batch.total) {
    statement(db, `UPDATE batches SET status = 'done' WHERE id = ? AND status = 'running'`).run(batchId);
    status = 'done';
  }
  return { ...batch, status, filter: JSON.parse(batch.filter), counts, spentUsd };
}

export interface BatchSummary {
  id: number;
  kind: BatchKind;
  status: BatchProgress['status'];
  /** Jobs it meant to queue (an interrupted batch queued fewer). */
  total: number;
  /** Jobs an interrupted batch did queue (null for the others: counting reads every job of a batch). */
  queued: number | null;
  budgetUsd: number;
  createdBy: string;
  createdAt: number;
}

/** The newest batches, without their job counts (those read every job of a batch: batchProgress). */
export function recentBatches(db: Db, limit = 10): BatchSummary[] {
  return statement<[number], BatchSummary>(
    db,
    `SELECT id, kind, status, total, budget_usd AS budgetUsd, ${actorNameSql('created_by')} AS createdBy, created_at AS createdAt,
       CASE status WHEN 'interrupted' THEN (SELECT count(*) FROM jobs WHERE batch_id = batches.id) END AS queued
     FROM batches ORDER BY id DESC LIMIT ?`,
  ).all(limit);
}
