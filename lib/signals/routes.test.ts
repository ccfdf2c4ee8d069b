/**
 * POST /api/signals and POST /api/signals/group, called as the browser calls them (a signed-in
 * session cookie and an Origin): who may call them, and queue → run → group over HTTP shapes.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '@/lib/auth/roles';
import { cleanupTemp, SAMPLES_DIR, tempDir } from '@/lib/test/factories';

const root = path.resolve(import.meta.dirname, '../..');
const ORIGIN = 'http://localhost:3000';
const cookies = new Map<Role, string>();
let datasetId: number;

type Handler = (request: Request, context: unknown) => Promise<Response>;

async function post(file: string, role: Role | undefined, body: unknown) {
  const module = (await import(/* @vite-ignore */ path.join(root, file))) as Record<string, Handler>;
  const response = await module.POST(
    new Request(`${ORIGIN}/api/signals`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json', ...(role ? { cookie: cookies.get(role)! } : {}) },
      body: JSON.stringify(body),
    }),
    {},
  );
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}
const queue = (role: Role | undefined, body: unknown) => post('app/api/signals/route.ts', role, body);
const group = (role: Role | undefined, body: unknown) => post('app/api/signals/group/route.ts', role, body);

beforeAll(async () => {
  process.env.LOUPE_DATA_DIR = tempDir('loupe-signals-routes-');
  process.env.LOUPE_WORKER = 'off';
  const { getDb } = await import('@/db');
  const { getAuth } = await import('@/lib/auth/auth');
  const { addUser } = await import('@/lib/auth/users');
  const { importGptEdit } = await import('@/lib/import/import-gpt-edit');
  datasetId = (await importGptEdit(getDb(), SAMPLES_DIR)).datasetId;
  for (const role of ['lead', 'annotator'] as const) {
    await addUser(getDb(), { username: `only-${role}`, roles: [role], password: 'signals-routes-password' });
    const response = await getAuth().handler(
      new Request(`${ORIGIN}/api/auth/sign-in/username`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: ORIGIN },
        body: JSON.stringify({ username: `only-${role}`, password: 'signals-routes-password' }),
      }),
    );
    expect(response.status).toBe(200);
    cookies.set(role, response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; '));
  }
});

afterAll(async () => {
  const { getDb } = await import('@/db');
  getDb().$client.close();
  cleanupTemp();
});

describe('signals routes', () => {
  it('need the manage permission', async () => {
    expect((await queue(undefined, { filter: { datasetId } })).status).toBe(401);
    expect((await queue('annotator', { filter: { datasetId } })).status).toBe(403);
    expect((await group('annotator', { datasetId })).status).toBe(403);
  });

  it('queue a filter (202), run, and group a dataset', async () => {
    expect((await queue('lead', { filter: { datasetId, task: 'edit' } })).status).toBe(400); // a task needs its family
    const queued = await queue('lead', { filter: { datasetId } });
    expect(queued).toEqual({ status: 202, json: { queued: 12, matched: 12, skippedComputed: 0, skippedActive: 0 } });
    expect((await queue('lead', { filter: { datasetId } })).json).toMatchObject({ queued: 0, skippedActive: 12 });

    // LOUPE_WORKER=off here: run them as `loupe worker` would.
    const { getDb } = await import('@/db');
    const { JobWorker } = await import('@/lib/jobs/worker');
    const { signalsOnly } = await import('./worker-runners');
    const { runners, claim } = signalsOnly(getDb());
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
