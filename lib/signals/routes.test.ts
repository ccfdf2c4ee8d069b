/**
 * POST /api/signals and POST /api/signals/group, called as the browser calls them (a signed-in
 * session cookie and an Origin): who may call them, and queue → run → group over HTTP shapes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '@/lib/auth/roles';
import { SAMPLES_DIR } from '@/lib/test/factories';
import { callRoute, closeRoutes, signInRoles } from '@/lib/test/routes';

let cookies: Map<Role, string>;
let datasetId: number;

const post = (file: string, role: Role | undefined, body: unknown) =>
  callRoute(file, 'POST', { url: '/api/signals', cookie: role && cookies.get(role), body });
const queue = (role: Role | undefined, body: unknown) => post('app/api/signals/route.ts', role, body);
const group = (role: Role | undefined, body: unknown) => post('app/api/signals/group/route.ts', role, body);

beforeAll(async () => {
  cookies = await signInRoles(['lead', 'annotator']);
  const { getDb } = await import('@/db');
  const { importGptEdit } = await import('@/lib/import/import-gpt-edit');
  datasetId = (await importGptEdit(getDb(), SAMPLES_DIR)).datasetId;
});
afterAll(closeRoutes);

describe('signals routes', () => {
  it('need the manage permission', async () => {
    expect((await queue(undefined, { filter: { datasetId } })).status).toBe(401);
    expect((await queue('annotator', { filter: { datasetId } })).status).toBe(403);
    expect((await group('annotator', { datasetId })).status).toBe(403);
  });

  it('queue a filter (202), run, and group a dataset', async () => {
    expect((await queue('lead', { filter: { datasetId, task: 'edit' } })).status).toBe(400); // a task needs its family
    const queued = await queue('lead', { filter: { datasetId } });
    expect(queued.status).toBe(202);
    expect(queued.json).toEqual({ queued: 12, matched: 12, skippedComputed: 0, skippedActive: 0 });
    expect((await queue('lead', { filter: { datasetId } })).json).toMatchObject({ queued: 0, skippedActive: 12 });

    // LOUPE_WORKER=off here: run them as `loupe worker` would.
    const { getDb } = await import('@/db');
    const { JobWorker } = await import('@/lib/jobs/worker');
    const { workerKinds } = await import('@/lib/jobs/worker-kinds');
    const { runners, claim } = workerKinds(getDb(), undefined, { only: ['signals'] });
    const worker = new JobWorker(getDb(), { concurrency: 2, maxAttempts: 1, runners, claim, pollMs: 10 }).start();
    const { signalsJobsLeft } = await import('./queue');
    while (signalsJobsLeft(getDb(), 1, Number.MAX_SAFE_INTEGER) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await worker.stop();

    expect((await queue('lead', { filter: { datasetId } })).json).toMatchObject({ queued: 0, skippedComputed: 12 });
    expect((await queue('lead', { filter: { datasetId, family: 'ultraedit' }, force: true })).json).toMatchObject({ queued: 4 });

    const grouped = await group('lead', { datasetId });
    expect(grouped.status).toBe(200);
    expect(grouped.json.groups).toMatchObject({ datasetId, maxDistance: 6, source: { hashes: 12, groups: 4, duplicates: 9 } });
    expect((await group('lead', { datasetId, maxDistance: 0 })).json.groups.maxDistance).toBe(0);
    expect((await group('lead', { datasetId: 999 })).status).toBe(404);
    expect((await group('lead', { datasetId, maxDistance: 65 })).status).toBe(400);
  });
});
