import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { filterSql, type ListFilter } from '../filter/filter';
import { PAIR_SIGNALS, PAIR_SIGNALS_SQL, SIGNALS_VERSION } from './store';

export interface QueueSignalsOptions {
  requestedBy: string;
  /** Leave out items whose candidate(s) already have every per-candidate signal (default); false: measure again. */
  skipComputed?: boolean;
  /** Measure every candidate of an item, not only its current one. */
  allCandidates?: boolean;
  /** Items read and queued per transaction. */
  pageSize?: number;
}

export interface QueueSignalsResult {
  /** Jobs queued, one per item. */
  queued: number;
  /** Matching items: queued + already computed + already queued or running. */
  matched: number;
  skippedComputed: number;
  skippedActive: number;
  /**
   * The id range of the matching items' signals jobs, queued now or still active from before (other
   * jobs may lie between): what a caller waits for. Null when there is none.
   */
  firstJobId: number | null;
  lastJobId: number | null;
}

interface Row {
  id: number;
  family: string;
  task: string;
  active: number;
  computed: number;
}

/**
 * The signals kind's id (jobs.kind): lib/jobs/kinds/signals.ts declares the kind with it. Defined here because this
 * layer sits below lib/jobs and may not import it; a literal, so it is safe to write into SQL.
 */
export const SIGNALS_JOB_KIND = 'signals';

/** The item's active signals job, if any (its id: 0 when none). */
const ACTIVE = `coalesce((SELECT min(jobs.id) FROM jobs WHERE jobs.item_id = items.id AND jobs.kind = '${SIGNALS_JOB_KIND}' AND jobs.status IN ('queued', 'running')), 0)`;
/**
 * All the per-candidate signals, at this version: one job writes the four rows together, so the
 * ssim row's version (one primary-key read) stands for the set.
 */
const HAS_ALL = (candidate: string) =>
  `((SELECT count(*) FROM signals s WHERE s.candidate_id = ${candidate} AND s.name IN (${PAIR_SIGNALS_SQL})) = ${PAIR_SIGNALS.length} ` +
  `AND coalesce((SELECT json_extract(s.detail, '$.version') FROM signals s WHERE s.candidate_id = ${candidate} AND s.name = 'ssim'), 1) >= ${SIGNALS_VERSION})`;
const COMPUTED_CURRENT = HAS_ALL('items.current_candidate_id');
const COMPUTED_ALL = `NOT EXISTS (SELECT 1 FROM candidates c WHERE c.item_id = items.id AND NOT ${HAS_ALL('c.id')})`;

/**
 * Queues a `signals` job for every item the shared filter matches, except items with one
 * already queued or running and (unless `skipComputed` is false) items already measured.
 * Items are walked in (family, task, id) keyset pages; each page is read and queued in one
 * short write transaction, with the event loop let go between pages, so 1.5M items neither
 * sit in memory nor block the server, and no cursor is open across an await.
 */
export async function queueSignals(db: Db, filter: ListFilter, options: QueueSignalsOptions): Promise<QueueSignalsResult> {
  const { requestedBy, skipComputed = true, allCandidates = false, pageSize = 1000 } = options;
  const { where, params } = filterSql(filter);
  const columns = `id, family, task, ${ACTIVE} AS active, ${allCandidates ? COMPUTED_ALL : COMPUTED_CURRENT} AS computed`;
  const firstPage = statement<unknown[], Row>(db, `SELECT ${columns} FROM items WHERE ${where} ORDER BY family, task, id LIMIT ?`);
  const nextPage = statement<unknown[], Row>(
    db,
    `SELECT ${columns} FROM items WHERE ${where} AND (family, task, id) > (?, ?, ?) ORDER BY family, task, id LIMIT ?`,
  );
  const insert = statement(
    db,
    `INSERT INTO jobs (kind, item_id, params, cost_usd, requested_by) VALUES ('${SIGNALS_JOB_KIND}', ?, ?, 0, ?)`,
  );
  const jobParams = JSON.stringify(allCandidates ? { allCandidates: true } : {});

  const result: QueueSignalsResult = { queued: 0, matched: 0, skippedComputed: 0, skippedActive: 0, firstJobId: null, lastJobId: null };
  // Read inside the write transaction, so a job queued meanwhile by someone else is seen as active.
  const queuePage = db.$client.transaction((cursor: Row | undefined): Row | undefined => {
    const rows = cursor ? nextPage.all(...params, cursor.family, cursor.task, cursor.id, pageSize) : firstPage.all(...params, pageSize);
    const cover = (id: number) => {
      result.firstJobId = Math.min(result.firstJobId ?? id, id);
      result.lastJobId = Math.max(result.lastJobId ?? id, id);
    };
    for (const row of rows) {
      result.matched++;
      if (row.active) {
        result.skippedActive++;
        cover(row.active);
      } else if (skipComputed && row.computed) result.skippedComputed++;
      else {
        cover(Number(insert.run(row.id, jobParams, requestedBy).lastInsertRowid));
        result.queued++;
      }
    }
    return rows.length === pageSize ? rows[rows.length - 1] : undefined;
  });

  let cursor: Row | undefined;
  do {
    cursor = queuePage.immediate(cursor);
    if (cursor) await new Promise((resolve) => setImmediate(resolve));
  } while (cursor);
  return result;
}

/** Signals jobs in [firstId, lastId] not yet ended, by status (a CLI run's progress). */
export function signalsJobCounts(
  db: Db,
  firstId: number,
  lastId: number,
): Record<'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled', number> {
  const rows = statement<[number, number], { status: string; n: number }>(
    db,
    `SELECT status, count(*) AS n FROM jobs WHERE id BETWEEN ? AND ? AND kind = '${SIGNALS_JOB_KIND}' GROUP BY status`,
  ).all(firstId, lastId);
  const counts = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
  for (const row of rows) if (row.status in counts) counts[row.status as keyof typeof counts] = row.n;
  return counts;
}

/** Signals jobs in [firstId, lastId] still queued or running (cost: the ones left, by the jobs_status index). */
export function signalsJobsLeft(db: Db, firstId: number, lastId: number): number {
  return (
    statement<[number, number], number>(
      db,
      `SELECT count(*) FROM jobs WHERE status IN ('queued', 'running') AND id BETWEEN ? AND ? AND kind = '${SIGNALS_JOB_KIND}'`,
    )
      .pluck()
      .get(firstId, lastId) ?? 0
  );
}
