import type { Db } from '@/db';
import type { JobStatus } from '@/db/schema';
import { statement } from '@/db/statements';
import { actorNameSql } from '@/lib/auth/actors';
import { decimalId } from '@/lib/http/params';
import { kindOf, type JobKind } from './kinds';

/** A job as the Jobs page, the item page and the review page see it: with its item and dataset. */
export interface JobListRow {
  id: number;
  kind: JobKind;
  itemId: number;
  /** The item's id in its dataset (the record's own id). */
  itemExternalId: string;
  datasetId: number;
  datasetName: string;
  status: JobStatus;
  batchId: number | null;
  attempts: number;
  cancelRequested: boolean;
  error: string | null;
  /** Estimated before the run, actual after it succeeded. */
  costUsd: number;
  /** Money committed over all attempts (spend.ts): what budgets were charged. */
  spentUsd: number;
  /** Who asked, by current username (lib/auth/actors.ts). */
  requestedBy: string;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface JobListOptions {
  kind?: JobKind;
  status?: JobStatus;
  /** Keyset paging: jobs with a smaller id (older) than this. */
  before?: number;
  limit: number;
  /** Just these jobs (a review page asking after its few). */
  ids?: number[];
  /** Just this item's jobs (the item page). */
  itemId?: number;
}

export interface JobListPage {
  jobs: JobListRow[];
  /** The `before` of the next (older) page; absent on the last one. */
  next?: number;
  /** Some job of this kind (any kind when none is given) is queued or running: the page keeps polling. */
  active: boolean;
}

const STATUSES: readonly JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

type Raw = Omit<JobListRow, 'cancelRequested'> & { cancelRequested: number };

const COLUMNS = `j.id, j.kind, j.item_id AS itemId, i.external_id AS itemExternalId, i.dataset_id AS datasetId, d.name AS datasetName,
  j.status, j.batch_id AS batchId, j.attempts, j.cancel_requested AS cancelRequested, j.error, j.cost_usd AS costUsd,
  j.spent_usd AS spentUsd, ${actorNameSql('j.requested_by')} AS requestedBy, j.created_at AS createdAt, j.started_at AS startedAt,
  j.finished_at AS finishedAt`;

/**
 * The ids of one page, newest first, each shape served by an index walked in id order so a page
 * costs its own rows whatever the table holds: no filter walks the rowid; a status walks
 * jobs_status (status, id); a kind and status walk jobs_kind_page (kind, status, id); a kind alone
 * merges one such walk per status (a sort of every job of a kind would read them all).
 */
export function pageIds(options: JobListOptions): { sql: string; params: (string | number)[] } {
  const before = options.before ?? Number.MAX_SAFE_INTEGER;
  const where = (status: JobStatus | undefined) => {
    const terms: [string, string | number][] = [['id < ?', before]];
    if (options.kind) terms.push(['kind = ?', options.kind]);
    if (status) terms.push(['status = ?', status]);
    if (options.itemId !== undefined) terms.push(['item_id = ?', options.itemId]);
    if (options.ids) terms.push(['id IN (SELECT value FROM json_each(?))', JSON.stringify(options.ids)]);
    const sql = `SELECT id FROM jobs WHERE ${terms.map(([term]) => term).join(' AND ')} ORDER BY id DESC LIMIT ?`;
    return { sql, params: [...terms.map(([, value]) => value), options.limit] };
  };
  if (!options.kind || options.status || options.ids || options.itemId !== undefined) return where(options.status);
  const parts = STATUSES.map(where);
  return {
    sql: `SELECT id FROM (${parts.map((part) => `SELECT * FROM (${part.sql})`).join(' UNION ALL ')}) ORDER BY id DESC LIMIT ?`,
    params: [...parts.flatMap((part) => part.params), options.limit],
  };
}

/** Jobs newest first, keyset-paged by id, filtered by kind, status, item or ids, with their item and dataset. */
export function listJobs(db: Db, options: JobListOptions): JobListPage {
  const ids = pageIds(options);
  const jobs = statement<unknown[], Raw>(
    db,
    `SELECT ${COLUMNS} FROM jobs j JOIN items i ON i.id = j.item_id JOIN datasets d ON d.id = i.dataset_id
     WHERE j.id IN (${ids.sql}) ORDER BY j.id DESC`,
  )
    .all(...ids.params)
    .map((raw) => ({ ...raw, cancelRequested: raw.cancelRequested === 1 }));
  return { jobs, ...(jobs.length === options.limit ? { next: jobs.at(-1)!.id } : {}), active: anyActive(db, options.kind) };
}

/** Whether some job (of this kind) is queued or running: an index probe, never a count. */
function anyActive(db: Db, kind: JobKind | undefined): boolean {
  const sql = `SELECT EXISTS (SELECT 1 FROM jobs WHERE status = ?${kind ? ' AND kind = ?' : ''})`;
  const exists = statement<(string | number)[], number>(db, sql).pluck();
  return ['queued', 'running'].some((status) => exists.get(...(kind ? [status, kind] : [status])) === 1);
}

/** The Jobs page's filter (/jobs?kind=&status=&before=), as GET /api/jobs takes it. */
export type JobsPageFilter = Pick<JobListOptions, 'kind' | 'status' | 'before'>;

/**
 * The Jobs page's filter from its address, term by term: a term that does not parse is left out
 * and named, so a stale or hand-edited link still shows the jobs the rest of it asks for.
 */
export function jobsPageFilter(search: Record<string, string | string[] | undefined>): { filter: JobsPageFilter; ignored: string[] } {
  const filter: JobsPageFilter = {};
  const ignored: string[] = [];
  const value = (key: string) => {
    const raw = search[key];
    return Array.isArray(raw) ? raw[0] : raw;
  };
  const kind = value('kind');
  if (kind !== undefined) {
    if (kindOf(kind)) filter.kind = kind as JobKind;
    else ignored.push(`kind "${kind}": not a job kind`);
  }
  const status = value('status');
  if (status !== undefined) {
    if ((STATUSES as readonly string[]).includes(status)) filter.status = status as JobStatus;
    else ignored.push(`status "${status}": must be one of ${STATUSES.join(', ')}`);
  }
  const before = value('before');
  if (before !== undefined) {
    const parsed = decimalId().safeParse(before);
    if (parsed.success) filter.before = parsed.data;
    else ignored.push(`before "${before}": ${parsed.error.issues[0].message}`);
  }
  return { filter, ignored };
}
