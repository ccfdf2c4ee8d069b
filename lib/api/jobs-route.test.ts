/**
 * GET /api/jobs (app/api/jobs/route.ts): its filters parse with the contract (lib/api/jobs.ts jobsQuery) and
 * reach the listing (lib/jobs/list.ts); a bad filter is a 400 that names the parameter, never an empty page.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Role } from '@/lib/auth/roles';
import { SAMPLES_DIR } from '@/lib/test/factories';
import { callRoute, closeRoutes, signInRoles } from '@/lib/test/routes';

const FILE = 'app/api/jobs/route.ts';
let cookies: Map<Role, string>;
let itemIds: number[];

beforeAll(async () => {
  cookies = await signInRoles(['annotator']);
  const { getDb } = await import('@/db');
  const { importGptEdit } = await import('@/lib/import/import-gpt-edit');
  const { enqueueJob } = await import('@/lib/jobs/jobs');
  const db = getDb();
  await importGptEdit(db, SAMPLES_DIR, { dataset: 'samples' });
  itemIds = db.$client.prepare('SELECT id FROM items ORDER BY id').pluck().all() as number[];
  for (const [n, itemId] of itemIds.slice(0, 6).entries()) {
    enqueueJob(db, { kind: n % 2 ? 'rewrite' : 'regenerate', itemId, requestedBy: 'cli:test', costUsd: 0.01 });
  }
  db.$client.prepare(`UPDATE jobs SET status = 'failed', error = 'boom' WHERE id IN (1, 2)`).run();
});
afterAll(closeRoutes);

const list = (query: string) => callRoute(FILE, 'GET', { cookie: cookies.get('annotator'), url: `/api/jobs?${query}` });

it('filters by kind, status and item and pages by id', async () => {
  const rewrites = await list('kind=rewrite');
  expect(rewrites.status).toBe(200);
  expect(rewrites.json.jobs.map((job: { id: number }) => job.id)).toEqual([6, 4, 2]);
  expect(rewrites.json.active).toBe(true);
  expect(rewrites.json.jobs[0]).toMatchObject({ kind: 'rewrite', itemId: itemIds[5], datasetName: 'samples' });
  expect((await list('kind=rewrite&status=failed')).json.jobs.map((job: { id: number }) => job.id)).toEqual([2]);
  expect((await list(`item=${itemIds[2]}`)).json.jobs.map((job: { id: number }) => job.id)).toEqual([3]);
  const first = await list('limit=4');
  expect(first.json.jobs.map((job: { id: number }) => job.id)).toEqual([6, 5, 4, 3]);
  expect(first.json.next).toBe(3);
  const second = await list(`limit=4&before=${first.json.next}`);
  expect(second.json.jobs.map((job: { id: number }) => job.id)).toEqual([2, 1]);
  expect(second.json.next).toBeUndefined();
});

it('refuses a bad filter with a 400 naming the parameter', async () => {
  for (const [query, name] of [
    ['kind=signal', 'kind'],
    ['kind=', 'kind'],
    ['status=done', 'status'],
    ['before=0', 'before'],
    ['before=1e3', 'before'],
    ['item=-1', 'item'],
    ['limit=500', 'limit'],
    ['ids=1,x', 'ids'],
  ]) {
    const answer = await list(query);
    expect(answer.status, query).toBe(400);
    expect(answer.json.error, query).toMatch(new RegExp(`^invalid request: ${name}: `));
  }
});

it('answers only a signed-in user', async () => {
  expect((await callRoute(FILE, 'GET', { url: '/api/jobs' })).status).toBe(401);
});
