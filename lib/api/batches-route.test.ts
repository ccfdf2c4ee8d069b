/**
 * POST /api/batches/estimate and POST /api/batches take `via` (lib/api/batches.ts) beside the batch
 * contract (lib/api/jobs.ts): the estimate says which path will run and both paths' cost; a batch
 * started on the Batch API path says so, and so does its progress.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Role } from '@/lib/auth/roles';
import { SAMPLES_DIR } from '@/lib/test/factories';
import { callRoute, closeRoutes, signInRoles } from '@/lib/test/routes';

let cookies: Map<Role, string>;
let datasetId: number;

beforeAll(async () => {
  // Configured for the kinds that call the API; 12 sample items are a "large" batch from 5.
  process.env.OPENAI_API_KEY = 'test';
  process.env.LOUPE_BATCH_MIN_ITEMS = '5';
  cookies = await signInRoles(['lead']);
  const { getDb } = await import('@/db');
  const { importGptEdit } = await import('@/lib/import/import-gpt-edit');
  datasetId = (await importGptEdit(getDb(), SAMPLES_DIR, { dataset: 'samples' })).datasetId;
}, 60_000); // signing in and importing take a while on a loaded machine
afterAll(async () => {
  delete process.env.OPENAI_API_KEY;
  delete process.env.LOUPE_BATCH_MIN_ITEMS;
  await closeRoutes();
});

const post = (file: string, body: object) => callRoute(file, 'POST', { cookie: cookies.get('lead'), url: '/api/batches', body });
const estimate = (body: object) => post('app/api/batches/estimate/route.ts', { kind: 'rewrite', filter: { datasetId }, ...body });

it('estimates both paths and says which will run: auto from LOUPE_BATCH_MIN_ITEMS, or as asked', async () => {
  const auto = await estimate({});
  expect(auto.status).toBe(200);
  expect(auto.json).toMatchObject({ items: 12, path: 'batch', minBatchItems: 5, configured: true });
  expect(auto.json.batchUsd).toBeCloseTo(auto.json.syncUsd / 2, 12);
  expect(auto.json.estimatedUsd).toBeCloseTo(auto.json.batchUsd, 12);
  expect(auto.json.fullRelease).toMatchObject({ items: 1_500_000 });
  const sync = await estimate({ via: 'sync' });
  expect(sync.json).toMatchObject({ path: 'sync', estimatedUsd: auto.json.syncUsd });
  const narrow = await estimate({ filter: { datasetId, family: 'hqedit' } });
  expect(narrow.json.path).toBe('sync'); // fewer than 5 items
  expect(narrow.json.fullRelease).toBeUndefined();
  const bad = await estimate({ via: 'fast' });
  expect(bad.status).toBe(400);
  expect(bad.json.error).toMatch(/^invalid request: via: /);
});

it('starts a batch on the path asked for, and its progress says so', async () => {
  const started = await post('app/api/batches/route.ts', { kind: 'judge', filter: { datasetId }, budgetUsd: 5, via: 'batch' });
  expect(started.status).toBe(201);
  expect(started.json).toMatchObject({ queued: 12, path: 'batch' });
  const progress = await callRoute('app/api/batches/route.ts', 'GET', {
    cookie: cookies.get('lead'),
    url: `/api/batches?id=${started.json.batchId}`,
  });
  // Held for the batch driver (no worker runs in route tests): running, on the Batch API path.
  expect(progress.json).toMatchObject({ via: 'batch', path: 'batch', counts: { running: 12, queued: 0 } });
});
