import os from 'node:os';
import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { popcount32 } from './phash';
import { upsertSignal } from './store';
import { LoupeError } from '@/lib/errors';

/** Hashes at most this many bits apart are near-duplicates (of 64; pHash: 0-4 same picture, > 10 different). */
export const DEFAULT_MAX_DISTANCE = 6;
/** LSH: the 64 bits in 4 bands of 16; only pairs equal in some band are compared. */
const BANDS = 4;
const BAND_BITS = 16;
/** A band bucket with more distinct hashes than this is compared only within a sliding window (see groupHashes). */
const DEFAULT_MAX_BUCKET = 4096;
/** Members listed in a group's detail. */
export const MAX_MEMBERS = 20;

export interface HashGrouping {
  /** For each hash, the index of its group's representative (equal roots: one group). */
  root: Uint32Array;
  /** Pairs whose distance was computed. */
  comparisons: number;
  /** Buckets too large to compare every pair of (their pairs were compared within a window). */
  truncatedBuckets: number;
}

if (os.endianness() !== 'LE') throw new Error('lib/signals/groups.ts reads 64-bit hashes as little-endian 32-bit halves');

/**
 * Near-duplicate groups of 64-bit hashes: the connected components of "at most `maxDistance`
 * bits apart", found with LSH banding and union-find. Each hash goes into one bucket per 16-bit
 * band (a counting sort); only hashes sharing a bucket are compared, so 1.5M random hashes cost
 * about 4 x 65,536 x C(23, 2) ≈ 66M popcounts rather than 10^12. Any pair at most 3 bits apart
 * shares a band (pigeonhole), so it is always found; pairs 4-6 apart are found when their
 * differing bits leave a band whole (most are: see bench/README.md), or through a third hash
 * close to both. A bucket crowded with one repeated hash (blank images all hash to 0) is
 * collapsed first: equal hashes are joined at once, and only distinct ones are compared.
 */
export function groupHashes(hashes: BigUint64Array, options: GroupHashesOptions = {}): HashGrouping {
  const steps = groupingSteps(hashes, options);
  for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
}

/** groupHashes, letting the event loop go every few thousand buckets (1.5M hashes take ~1.5 s in all). */
export async function groupHashesAsync(hashes: BigUint64Array, options: GroupHashesOptions = {}): Promise<HashGrouping> {
  const steps = groupingSteps(hashes, options);
  for (let step = steps.next(); ; step = steps.next()) {
    if (step.done) return step.value;
    await yieldToEventLoop();
  }
}

export interface GroupHashesOptions {
  maxDistance?: number;
  maxBucket?: number;
}

/** Buckets handled between two pauses of groupHashesAsync. */
const BUCKETS_PER_STEP = 4096;

function* groupingSteps(
  hashes: BigUint64Array,
  { maxDistance = DEFAULT_MAX_DISTANCE, maxBucket = DEFAULT_MAX_BUCKET }: GroupHashesOptions,
): Generator<void, HashGrouping> {
  const n = hashes.length;
  const words = new Uint32Array(hashes.buffer, hashes.byteOffset, n * 2); // [lo, hi] per hash
  const parent = new Uint32Array(n);
  const size = new Uint32Array(n).fill(1);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (i: number) => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]]; // path halving
    return i;
  };
  const union = (a: number, b: number) => {
    let ra = find(a);
    let rb = find(b);
    if (ra === rb) return;
    if (size[ra] < size[rb]) [ra, rb] = [rb, ra];
    parent[rb] = ra;
    size[ra] += size[rb];
  };
  const close = (a: number, b: number) =>
    popcount32(words[2 * a] ^ words[2 * b]) + popcount32(words[2 * a + 1] ^ words[2 * b + 1]) <= maxDistance;

  let comparisons = 0;
  let truncatedBuckets = 0;
  const compareAll = (members: ArrayLike<number>, window: number) => {
    for (let x = 0; x < members.length; x++) {
      const a = members[x];
      const end = Math.min(members.length, x + 1 + window);
      for (let y = x + 1; y < end; y++) {
        comparisons++;
        if (close(a, members[y])) union(a, members[y]);
      }
    }
  };

  const buckets = 1 << BAND_BITS;
  const starts = new Uint32Array(buckets + 1);
  const order = new Uint32Array(n);
  for (let band = 0; band < BANDS; band++) {
    const word = band < 2 ? 0 : 1;
    const shift = (band % 2) * BAND_BITS;
    const key = (i: number) => (words[2 * i + word] >>> shift) & (buckets - 1);
    starts.fill(0);
    for (let i = 0; i < n; i++) starts[key(i) + 1]++;
    for (let b = 0; b < buckets; b++) starts[b + 1] += starts[b];
    const next = starts.slice(0, buckets);
    for (let i = 0; i < n; i++) order[next[key(i)]++] = i;

    for (let b = 0; b < buckets; b++) {
      if (b % BUCKETS_PER_STEP === 0) yield;
      const from = starts[b];
      const to = starts[b + 1];
      if (to - from < 2) continue;
      if (to - from <= maxBucket) {
        compareAll(order.subarray(from, to), to - from);
        continue;
      }
      // A crowded bucket: join equal hashes, then compare the distinct ones.
      const members = Array.from(order.subarray(from, to)).sort(
        (a, c) => words[2 * a + 1] - words[2 * c + 1] || words[2 * a] - words[2 * c],
      );
      const distinct: number[] = [members[0]];
      for (let m = 1; m < members.length; m++) {
        const a = members[m - 1];
        const c = members[m];
        if (words[2 * a] === words[2 * c] && words[2 * a + 1] === words[2 * c + 1]) union(a, c);
        else distinct.push(c);
      }
      if (distinct.length > maxBucket) truncatedBuckets++;
      compareAll(distinct, Math.min(distinct.length, maxBucket));
    }
  }
  const root = new Uint32Array(n);
  for (let i = 0; i < n; i++) root[i] = find(i);
  return { root, comparisons, truncatedBuckets };
}

export interface GroupStats {
  /** Candidates with a hash. */
  hashes: number;
  /** Groups of two or more. */
  groups: number;
  /** Candidates in those groups. */
  duplicates: number;
  largest: number;
  comparisons: number;
  truncatedBuckets: number;
  ms: number;
}

export interface GroupSummary {
  datasetId: number;
  maxDistance: number;
  source: GroupStats;
  edit: GroupStats;
  /** Wall time of the whole pass (read, group, write). */
  ms: number;
}

/** Hashes of a dataset's current candidates, streamed into typed arrays. */
interface HashTable {
  n: number;
  candidateIds: Uint32Array;
  itemIds: Uint32Array;
  source: BigUint64Array;
  edit: BigUint64Array;
}

type Row = [family: string, task: string, itemId: number, candidateId: number, source: unknown, edit: unknown];

async function readHashes(db: Db, datasetId: number, pageSize: number): Promise<HashTable> {
  let capacity = Math.max(
    16,
    statement<[number], number>(db, `SELECT count(*) FROM signals WHERE dataset_id = ? AND name = 'phash'`).pluck().get(datasetId) ?? 0,
  );
  const table: HashTable = {
    n: 0,
    candidateIds: new Uint32Array(capacity),
    itemIds: new Uint32Array(capacity),
    source: new BigUint64Array(capacity),
    edit: new BigUint64Array(capacity),
  };
  let sourceWords = new Uint32Array(table.source.buffer);
  let editWords = new Uint32Array(table.edit.buffer);
  const grow = () => {
    capacity *= 2;
    const bigger = <T extends Uint32Array | BigUint64Array>(old: T): T => {
      const next = new (old.constructor as new (n: number) => T)(capacity);
      next.set(old as never);
      return next;
    };
    table.candidateIds = bigger(table.candidateIds);
    table.itemIds = bigger(table.itemIds);
    table.source = bigger(table.source);
    table.edit = bigger(table.edit);
    sourceWords = new Uint32Array(table.source.buffer);
    editWords = new Uint32Array(table.edit.buffer);
  };
  // The current candidate of each item (an older candidate's hash would make its item its own duplicate),
  // keyset-paged in the items_dataset_order index's order, so no page sorts the dataset.
  const columns = `i.family, i.task, i.id, s.candidate_id, json_extract(s.detail, '$.source'), json_extract(s.detail, '$.edit')`;
  const join = `items i JOIN signals s ON s.candidate_id = i.current_candidate_id AND s.name = 'phash'`;
  const firstPage = statement<[number, number], Row>(
    db,
    `SELECT ${columns} FROM ${join} WHERE i.dataset_id = ? ORDER BY i.family, i.task, i.id LIMIT ?`,
  ).raw();
  const nextPage = statement<[number, string, string, number, number], Row>(
    db,
    `SELECT ${columns} FROM ${join} WHERE i.dataset_id = ? AND (i.family, i.task, i.id) > (?, ?, ?)
     ORDER BY i.family, i.task, i.id LIMIT ?`,
  ).raw();
  let cursor: [string, string, number] | undefined;
  for (;;) {
    let rows = 0;
    // The cursor lives within this synchronous loop only; the await comes after it is done.
    const page = cursor ? nextPage.iterate(datasetId, ...cursor, pageSize) : firstPage.iterate(datasetId, pageSize);
    for (const [family, task, itemId, candidateId, source, edit] of page) {
      rows++;
      cursor = [family, task, itemId];
      if (typeof source !== 'string' || typeof edit !== 'string' || source.length !== 16 || edit.length !== 16) continue;
      if (candidateId > 0xffffffff || itemId > 0xffffffff) throw new Error(`id beyond 32 bits (item ${itemId})`);
      if (table.n === capacity) grow();
      const i = table.n++;
      table.itemIds[i] = itemId;
      table.candidateIds[i] = candidateId;
      sourceWords[2 * i + 1] = parseInt(source.slice(0, 8), 16);
      sourceWords[2 * i] = parseInt(source.slice(8), 16);
      editWords[2 * i + 1] = parseInt(edit.slice(0, 8), 16);
      editWords[2 * i] = parseInt(edit.slice(8), 16);
    }
    if (rows < pageSize) break;
    await yieldToEventLoop();
  }
  return table;
}

const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));

/** Datasets being grouped in this process: two interleaved passes could remove each other's rows as stale. */
const inProgress = new Set<number>();

/**
 * The dataset-level near-duplicate pass, run after the signals jobs: groups the pHashes of every
 * item's current candidate (sources and edits separately) and writes `dup_source` / `dup_edit`
 * for each: value = the size of its group (1: unique), detail = { group: the smallest candidate
 * id in it, members / items: up to 20 candidate ids and their item ids, maxDistance }. Reads in
 * pages into typed arrays and writes in batches of short transactions with the event loop let go
 * between them; dup rows of candidates no longer current are removed.
 */
export async function groupNearDuplicates(
  db: Db,
  datasetId: number,
  {
    maxDistance = DEFAULT_MAX_DISTANCE,
    pageSize = 10_000,
    writeBatch = 2_000,
    onProgress,
  }: {
    maxDistance?: number;
    pageSize?: number;
    writeBatch?: number;
    onProgress?: (phase: string, done: number, total: number) => void;
  } = {},
): Promise<GroupSummary> {
  if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > 32)
    throw new LoupeError('invalid', 'maxDistance must be an integer from 0 to 32');
  if (inProgress.has(datasetId)) throw new LoupeError('conflict', `dataset ${datasetId} is already being grouped`);
  inProgress.add(datasetId);
  try {
    return await groupPass(db, datasetId, maxDistance, pageSize, writeBatch, onProgress);
  } finally {
    inProgress.delete(datasetId);
  }
}

async function groupPass(
  db: Db,
  datasetId: number,
  maxDistance: number,
  pageSize: number,
  writeBatch: number,
  onProgress: ((phase: string, done: number, total: number) => void) | undefined,
): Promise<GroupSummary> {
  const started = performance.now();
  const passStart = Date.now();
  onProgress?.('read', 0, 0);
  const table = await readHashes(db, datasetId, pageSize);
  const { n } = table;
  const summary: GroupSummary = { datasetId, maxDistance, source: undefined!, edit: undefined!, ms: 0 };
  for (const [kind, name] of [
    ['source', 'dup_source'],
    ['edit', 'dup_edit'],
  ] as const) {
    const t0 = performance.now();
    onProgress?.(`group ${kind}`, 0, n);
    const grouping = await groupHashesAsync(table[kind].subarray(0, n), { maxDistance });
    const { sizes, details, stats } = describeGroups(grouping.root, table, maxDistance);
    const write = db.$client.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const candidateId = table.candidateIds[i];
        upsertSignal(db, {
          candidateId,
          itemId: table.itemIds[i],
          datasetId,
          name,
          value: sizes[i],
          detail:
            details.get(grouping.root[i]) ??
            `{"group":${candidateId},"members":[${candidateId}],"items":[${table.itemIds[i]}],"maxDistance":${maxDistance}}`,
          jobId: null,
          computedAt: passStart,
        });
      }
    });
    for (let from = 0; from < n; from += writeBatch) {
      write.immediate(from, Math.min(n, from + writeBatch));
      onProgress?.(`write ${name}`, Math.min(n, from + writeBatch), n);
      await yieldToEventLoop();
    }
    await removeStale(db, datasetId, name, passStart, n, pageSize, writeBatch);
    summary[kind] = {
      hashes: n,
      ...stats,
      comparisons: grouping.comparisons,
      truncatedBuckets: grouping.truncatedBuckets,
      ms: Math.round(performance.now() - t0),
    };
  }
  summary.ms = Math.round(performance.now() - started);
  return summary;
}

/** Group sizes per hash, and the detail JSON of each group of two or more (by root). */
function describeGroups(root: Uint32Array, table: HashTable, maxDistance: number) {
  const n = root.length;
  const count = new Uint32Array(n);
  for (let i = 0; i < n; i++) count[root[i]]++;
  const members = new Map<number, number[]>();
  let largest = n > 0 ? 1 : 0;
  for (let i = 0; i < n; i++) {
    const r = root[i];
    if (count[r] < 2) continue;
    let list = members.get(r);
    if (!list) members.set(r, (list = []));
    list.push(i);
  }
  const details = new Map<number, string>();
  let duplicates = 0;
  for (const [r, list] of members) {
    duplicates += list.length;
    largest = Math.max(largest, list.length);
    const shown = list.sort((a, b) => table.candidateIds[a] - table.candidateIds[b]).slice(0, MAX_MEMBERS);
    const ids = shown.map((i) => table.candidateIds[i]);
    details.set(r, JSON.stringify({ group: ids[0], members: ids, items: shown.map((i) => table.itemIds[i]), maxDistance }));
  }
  const sizes = new Uint32Array(n);
  for (let i = 0; i < n; i++) sizes[i] = count[root[i]];
  return { sizes, details, stats: { groups: members.size, duplicates, largest } };
}

/**
 * Dup rows of the dataset this pass did not write (their candidate is no longer current) are
 * removed. Usually there are none, which one count over the index tells; otherwise the rows are
 * read in index-order pages (the event loop let go between them) and deleted in batches.
 */
async function removeStale(db: Db, datasetId: number, name: string, passStart: number, written: number, pageSize: number, batch: number) {
  const total =
    statement<[number, string], number>(db, 'SELECT count(*) FROM signals WHERE dataset_id = ? AND name = ?')
      .pluck()
      .get(datasetId, name) ?? 0;
  if (total <= written) return;
  // The index's own order, rowid last (an item's old and new candidates can share value and item).
  const page = statement<[number, string, number, number, number, number], [number, number, number, number, number]>(
    db,
    `SELECT value, item_id, rowid, candidate_id, computed_at FROM signals
     WHERE dataset_id = ? AND name = ? AND (value, item_id, rowid) > (?, ?, ?) ORDER BY value, item_id, rowid LIMIT ?`,
  ).raw();
  const stale: number[] = [];
  let cursor: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  for (;;) {
    const rows = page.all(datasetId, name, ...cursor, pageSize);
    for (const [, , , candidateId, computedAt] of rows) if (computedAt < passStart) stale.push(candidateId);
    if (rows.length < pageSize) break;
    const last = rows[rows.length - 1];
    cursor = [last[0], last[1], last[2]];
    await yieldToEventLoop();
  }
  const remove = statement(db, 'DELETE FROM signals WHERE candidate_id = ? AND name = ? AND computed_at < ?');
  const removeBatch = db.$client.transaction((ids: number[]) => {
    for (const id of ids) remove.run(id, name, passStart);
  });
  for (let from = 0; from < stale.length; from += batch) {
    removeBatch.immediate(stale.slice(from, from + batch));
    await yieldToEventLoop();
  }
}
