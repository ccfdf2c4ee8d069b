import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import type { JobStatus } from '@/db/schema';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { addUser } from '../auth/users';
import { importGptEdit } from '../import/import-gpt-edit';
import type { JobKind } from './kinds';
import { jobsPageFilter, listJobs, pageIds, type JobListOptions } from './list';

const KINDS: JobKind[] = ['regenerate', 'rewrite', 'signals', 'judge'];
const STATUSES: JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

let db: Db;
let items: { id: number; externalId: string; datasetName: string }[];
let jobs: { id: number; kind: JobKind; status: JobStatus; itemId: number }[];

beforeEach(async () => {
  db = tempDb().db;
  await importGptEdit(db, SAMPLES_DIR, { dataset: 'alpha' });
  await importGptEdit(db, SAMPLES_DIR, { dataset: 'beta' });
  items = db.$client
    .prepare(
      `SELECT i.id, i.external_id AS externalId, d.name AS datasetName FROM items i JOIN datasets d ON d.id = i.dataset_id ORDER BY i.id`,
    )
    .all() as typeof items;
  const lead = (await addUser(db, { username: 'lead', roles: ['lead'], password: 'correct-horse-battery' })).id;
  // Jobs of every kind and status over both datasets' items, in an order no filter follows.
  const insert = db.$client.prepare(
    `INSERT INTO jobs (kind, item_id, status, requested_by, cost_usd, spent_usd, created_at, started_at, finished_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  jobs = [];
  for (let n = 0; n < 240; n++) {
    const kind = KINDS[(n * 7) % KINDS.length];
    const status = STATUSES[(n * 3 + (n >> 2)) % STATUSES.length];
    const itemId = items[(n * 5) % items.length].id;
    const started = status === 'queued' ? null : 1_000 + n;
    const finished = ['succeeded', 'failed', 'cancelled'].includes(status) ? 2_000 + n : null;
    const id = Number(insert.run(kind, itemId, status, n % 2 ? lead : 'cli:carol', n / 100, n / 50, n, started, finished).lastInsertRowid);
    jobs.push({ id, kind, status, itemId });
  }
});
afterEach(cleanupTemp);

/** Every page of a listing, following `next`. */
function allPages(options: Omit<JobListOptions, 'limit' | 'before'>, limit: number) {
  const seen: number[] = [];
  let before: number | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = listJobs(db, { ...options, limit, before });
    expect(page.jobs.length).toBeLessThanOrEqual(limit);
    seen.push(...page.jobs.map((job) => job.id));
    if (page.next === undefined) return seen;
    expect(page.next).toBe(page.jobs.at(-1)!.id);
    before = page.next;
  }
  throw new Error('paging did not end');
}

describe('listJobs', () => {
  it('pages through exactly the jobs each filter matches, newest first, with no job twice or missed', () => {
    const filters: Omit<JobListOptions, 'limit' | 'before'>[] = [
      {},
      ...KINDS.map((kind) => ({ kind })),
      ...STATUSES.map((status) => ({ status })),
      ...KINDS.flatMap((kind) => STATUSES.map((status) => ({ kind, status }))),
      { itemId: items[3].id },
      { itemId: items[3].id, status: 'failed' as const },
    ];
    for (const filter of filters) {
      const expected = jobs
        .filter(
          (job) =>
            (!filter.kind || job.kind === filter.kind) &&
            (!filter.status || job.status === filter.status) &&
            (filter.itemId === undefined || job.itemId === filter.itemId),
        )
        .map((job) => job.id)
        .reverse();
      for (const limit of [1, 7, 50]) expect(allPages(filter, limit), JSON.stringify({ filter, limit })).toEqual(expected);
    }
  });

  it('joins each job to its item and dataset, names who asked by username, and keeps costs and times', () => {
    const { jobs: page } = listJobs(db, { limit: 240 });
    expect(page).toHaveLength(240);
    for (const row of page) {
      const job = jobs.find((j) => j.id === row.id)!;
      const item = items.find((i) => i.id === job.itemId)!;
      expect(row).toMatchObject({ kind: job.kind, status: job.status, itemId: item.id, itemExternalId: item.externalId });
      expect(row.datasetName).toBe(item.datasetName);
      const n = row.createdAt;
      expect(row.requestedBy).toBe(n % 2 ? 'lead' : 'cli:carol');
      expect(row.spentUsd).toBeCloseTo(n / 50);
      expect(row.cancelRequested).toBe(false);
    }
    // Both datasets appear, their items told apart by dataset (the samples share external ids).
    expect(new Set(page.map((row) => row.datasetName))).toEqual(new Set(['alpha', 'beta']));
  });

  it('returns just the jobs asked for by id, whatever the paging', () => {
    const ids = [jobs[5].id, jobs[100].id, jobs[239].id, 999_999];
    expect(listJobs(db, { ids, limit: 50 }).jobs.map((job) => job.id)).toEqual([jobs[239].id, jobs[100].id, jobs[5].id]);
  });

  it('says whether any job (of the kind) is queued or running', () => {
    expect(listJobs(db, { limit: 1, status: 'succeeded' }).active).toBe(true);
    db.$client.prepare(`UPDATE jobs SET status = 'succeeded' WHERE kind != 'judge' AND status IN ('queued', 'running')`).run();
    expect(listJobs(db, { limit: 1 }).active).toBe(true);
    expect(listJobs(db, { limit: 1, kind: 'rewrite' }).active).toBe(false);
    expect(listJobs(db, { limit: 1, kind: 'judge' }).active).toBe(true);
    db.$client.prepare(`UPDATE jobs SET status = 'failed' WHERE status IN ('queued', 'running')`).run();
    expect(listJobs(db, { limit: 1 }).active).toBe(false);
  });

  it('reads a page from an index in id order: no scan of the jobs table, no sort of its rows', () => {
    const shapes: JobListOptions[] = [
      { limit: 50 },
      { limit: 50, before: 100 },
      { limit: 50, status: 'failed' },
      { limit: 50, kind: 'rewrite' },
      { limit: 50, kind: 'rewrite', status: 'queued', before: 100 },
    ];
    for (const shape of shapes) {
      const { sql, params } = pageIds(shape);
      const plan = (db.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((row) => row.detail);
      // Every read of jobs is an index search; the only sort is the merge of the per-status pages (a page's rows each).
      expect(
        plan.filter((line) => /jobs/.test(line)).every((line) => line.startsWith('SEARCH jobs')),
        plan.join('\n'),
      ).toBe(true);
      // Each search is bounded by every term given (walking one status for a rare kind would read every other kind's jobs).
      const searches = plan.filter((line) => line.startsWith('SEARCH jobs'));
      const terms = [shape.kind && 'kind=?', shape.status && 'status=?', /(id|rowid)<\?/].filter((term) => term !== undefined);
      for (const line of searches) for (const term of terms) expect(line).toMatch(term);
      plan.forEach((line, i) => line.includes('TEMP B-TREE') && expect(plan[i - 1], plan.join('\n')).toMatch(/^SCAN \(subquery-/));
    }
  });
});

describe("the Jobs page's filter from its address", () => {
  it('takes each term that parses and names each one that does not, so the rest still applies', () => {
    expect(jobsPageFilter({ kind: 'rewrite', status: 'failed', before: '40' })).toEqual({
      filter: { kind: 'rewrite', status: 'failed', before: 40 },
      ignored: [],
    });
    expect(jobsPageFilter({})).toEqual({ filter: {}, ignored: [] });
    const { filter, ignored } = jobsPageFilter({ kind: 'nope', status: 'succeeded', before: '0x10' });
    expect(filter).toEqual({ status: 'succeeded' });
    expect(ignored).toEqual(['kind "nope": not a job kind', 'before "0x10": must be a positive decimal integer id']);
    expect(jobsPageFilter({ status: ['done', 'failed'] }).ignored).toEqual([
      'status "done": must be one of queued, running, succeeded, failed, cancelled',
    ]);
  });
});
