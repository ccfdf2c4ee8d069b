import type Database from 'better-sqlite3';
import type { Db } from '@/db';
import { readTransaction } from '@/db/transaction';
import { statement } from '@/db/statements';
import { IN_DATASETS, scopeOf } from './scope';

export const DAY_MS = 86_400_000;
/** "No upper bound" for a created_at range. */
const END_OF_TIME = Number.MAX_SAFE_INTEGER;

export interface VerdictDay {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  /** Start of the day, ms. */
  start: number;
  accept: number;
  reject: number;
  skip: number;
}

export interface VerdictsPerDayOptions {
  datasetId?: number;
  /** Days ending with today (UTC), today included. */
  days?: number;
  /** "Now" (ms), for tests and the benchmark. */
  now?: number;
}

type Counts = { accept: number; reject: number; skip: number };
type DayTotals = Counts & { firstId: number | null };
type DayRow = { day: number; decision: keyof Counts; n: number };

/*
 * One day's review verdicts, undone ones included, and the day's smallest verdict id: a range
 * of verdicts_created, each row read for its kind and decision (rows lie in created_at order,
 * so the reads are sequential; a covering index would save ~1/3 of this first count only, see
 * bench/README.md). One statement per day rather than a GROUP BY over the range: the day is an
 * expression no index orders, so grouping would sort every verdict of the range. Undo rows
 * fall in no count.
 */
const DAY_TOTALS = `SELECT count(*) FILTER (WHERE decision = 'accept') AS accept, count(*) FILTER (WHERE decision = 'reject') AS reject,
    count(*) FILTER (WHERE decision = 'skip') AS skip, min(id) AS firstId
  FROM verdicts WHERE kind = 'review' AND created_at >= ? AND created_at < ?`;

/*
 * The undone ones among them, to take off: the undo rows pointing at a verdict of the range
 * (a range of the partial verdicts_undoes index from the range's smallest id, so the cost
 * follows the window, not the whole history), each undone verdict read by primary key. An
 * undo row is never undone itself (undoLastVerdict only undoes accept/reject/skip).
 */
const UNDONE = `SELECT CAST((v.created_at - :since) / ${DAY_MS} AS INTEGER) AS day, v.decision, count(DISTINCT v.id) AS n
  FROM verdicts u INDEXED BY verdicts_undoes CROSS JOIN verdicts v
  WHERE u.undoes_verdict_id >= :firstId AND v.id = u.undoes_verdict_id
    AND v.created_at >= :since AND v.created_at < :until AND v.kind = 'review' AND v.decision IN ('accept', 'reject', 'skip')
  GROUP BY day, v.decision`;

/* Review verdicts after the range (from a clock set back, or a test): normally no row. */
const LATER = `SELECT CAST((created_at - :since) / ${DAY_MS} AS INTEGER) AS day, decision, count(*) AS n
  FROM verdicts WHERE kind = 'review' AND created_at >= :until AND decision IN ('accept', 'reject', 'skip')
  GROUP BY day, decision`;

/* Live review verdicts of some datasets' items, walking the items and each one's verdicts (see scope.ts). */
const LIVE_OF_ITEMS = `SELECT CAST((v.created_at - :since) / ${DAY_MS} AS INTEGER) AS day, v.decision, count(*) AS n
  FROM items i INDEXED BY items_dataset_order CROSS JOIN verdicts v INDEXED BY verdicts_item
  WHERE ${IN_DATASETS} AND v.item_id = i.id
    AND v.created_at >= :since AND v.created_at < :until AND v.kind = 'review' AND v.decision IN ('accept', 'reject', 'skip')
    AND NOT EXISTS (SELECT 1 FROM verdicts u WHERE u.undoes_verdict_id = v.id)
  GROUP BY day, v.decision`;

/**
 * Per-day counts of live review verdicts from `from` on (no upper bound), as of verdict id
 * `cursor`. verdicts is append-only (rows are never updated or deleted, ids only grow), so
 * the counts stay exact by applying just the rows after the cursor: a verdict adds one to its
 * day, an undo row takes one off the day of the verdict it undoes.
 */
interface Tracked {
  from: number;
  cursor: number;
  days: Map<number, Counts>;
}

/** Per connection, per scope ("all" or a dataset id). */
const tracked = new WeakMap<Database.Database, Map<string, Tracked>>();

/** New rows above this are read by a fresh count instead (each costs a read of its item). */
const CATCH_UP_LIMIT = 20_000;

/* The rows after the cursor, each with its item's dataset and, for an undo, the verdict it undoes. */
const AFTER_CURSOR = `SELECT v.id, v.created_at AS createdAt, v.kind, v.decision, i.dataset_id AS datasetId,
    u.created_at AS undoneAt, u.kind AS undoneKind, u.decision AS undoneDecision
  FROM verdicts v CROSS JOIN items i LEFT JOIN verdicts u ON u.id = v.undoes_verdict_id
  WHERE v.id > ? AND i.id = v.item_id ORDER BY v.id`;

type NewRow = {
  id: number;
  createdAt: number;
  kind: string;
  decision: string;
  datasetId: number;
  undoneAt: number | null;
  undoneKind: string | null;
  undoneDecision: string | null;
};

const isCounted = (kind: string | null, decision: string | null): decision is keyof Counts =>
  kind === 'review' && (decision === 'accept' || decision === 'reject' || decision === 'skip');

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const dayStart = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/** Forgets the kept counts of a connection (the benchmark's cold calls; tests). */
export function forgetVerdictDays(db: Db) {
  tracked.delete(db.$client);
}

/**
 * Live review verdicts per UTC day (accept, reject, skip) for the last `days` days, today
 * included, every day present. Undone verdicts and the undo rows themselves do not count;
 * gold and adjudication verdicts are not reviews and do not either.
 *
 * The first call counts from the database (a range of verdicts_created per day: ~0.15 s for
 * 700k verdicts in 30 days, bench/README.md) and keeps the counts with the connection; later
 * calls apply only the verdicts recorded since (see Tracked).
 */
export function verdictsPerDay(db: Db, { datasetId, days = 30, now = Date.now() }: VerdictsPerDayOptions = {}): VerdictDay[] {
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new RangeError('days must be an integer from 1 to 366');
  const since = dayStart(now) - (days - 1) * DAY_MS;
  const key = datasetId === undefined ? 'all' : String(datasetId);
  let byScope = tracked.get(db.$client);
  if (!byScope) tracked.set(db.$client, (byScope = new Map()));
  // One read transaction: the counts and the cursor are of the same snapshot.
  const state = readTransaction(db, () => {
    const kept = byScope.get(key);
    if (kept && kept.from <= since && catchUp(db, kept, datasetId)) return kept;
    const fresh = build(db, datasetId, since, since + days * DAY_MS);
    byScope.set(key, fresh);
    return fresh;
  });
  return Array.from({ length: days }, (_, i) => {
    const start = since + i * DAY_MS;
    const counts = state.days.get(start);
    return { day: isoDay(start), start, accept: counts?.accept ?? 0, reject: counts?.reject ?? 0, skip: counts?.skip ?? 0 };
  });
}

/** Applies the rows after the cursor; false when there were too many (count afresh instead). */
function catchUp(db: Db, state: Tracked, datasetId: number | undefined): boolean {
  const changes: [number, keyof Counts, 1 | -1][] = [];
  let cursor = state.cursor;
  let read = 0;
  for (const row of statement<[number], NewRow>(db, AFTER_CURSOR).iterate(state.cursor)) {
    if (++read > CATCH_UP_LIMIT) return false;
    cursor = row.id;
    if (datasetId !== undefined && row.datasetId !== datasetId) continue;
    if (isCounted(row.kind, row.decision) && row.createdAt >= state.from) changes.push([dayStart(row.createdAt), row.decision, 1]);
    if (row.decision === 'undo' && isCounted(row.undoneKind, row.undoneDecision) && row.undoneAt! >= state.from) {
      changes.push([dayStart(row.undoneAt!), row.undoneDecision, -1]);
    }
  }
  for (const [day, decision, sign] of changes) {
    let counts = state.days.get(day);
    if (!counts) state.days.set(day, (counts = { accept: 0, reject: 0, skip: 0 }));
    counts[decision] += sign;
  }
  state.cursor = cursor;
  return true;
}

/** Counts every live review verdict from `since` on, per day, from the database (see scope.ts for a dataset). */
function build(db: Db, datasetId: number | undefined, since: number, until: number): Tracked {
  const days = new Map<number, Counts>();
  const add = (rows: DayRow[], sign: 1 | -1) => {
    for (const row of rows) {
      const start = since + row.day * DAY_MS;
      let counts = days.get(start);
      if (!counts) days.set(start, (counts = { accept: 0, reject: 0, skip: 0 }));
      counts[row.decision] += sign * row.n;
    }
  };
  const cursor = statement<[], number>(db, 'SELECT coalesce(max(id), 0) FROM verdicts').pluck().get()!;
  const scope = scopeOf(db, datasetId);
  if (scope.mode !== 'only') {
    const dayTotals = statement<[number, number], DayTotals>(db, DAY_TOTALS);
    let firstId = Infinity;
    for (let start = since; start < until; start += DAY_MS) {
      const { firstId: dayFirst, ...counts } = dayTotals.get(start, start + DAY_MS)!;
      days.set(start, counts);
      if (dayFirst !== null) firstId = Math.min(firstId, dayFirst);
    }
    const later = statement<[{ since: number; until: number }], DayRow>(db, LATER).all({ since, until });
    add(later, 1);
    if (later.length) firstId = 0; // rare: look at every undo row rather than find these rows' smallest id
    if (firstId !== Infinity) {
      const undone = statement<[{ since: number; until: number; firstId: number }], DayRow>(db, UNDONE);
      add(undone.all({ since, until: END_OF_TIME, firstId }), -1);
    }
  }
  if (scope.mode !== 'all') {
    const live = statement<[{ since: number; until: number; datasetIds: string }], DayRow>(db, LIVE_OF_ITEMS);
    add(live.all({ since, until: END_OF_TIME, datasetIds: JSON.stringify(scope.datasetIds) }), scope.mode === 'only' ? 1 : -1);
  }
  return { from: since, cursor, days };
}
