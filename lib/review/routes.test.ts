/**
 * The review routes over HTTP, signed in as the browser is: a verdict naming another item's
 * version is refused with a message that says so, records nothing, and leaves the item with
 * the page; a claim asks an item back first (`prefer`) once its job has ended.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLES_DIR } from '@/lib/test/factories';
import { callRoute, closeRoutes, signInRoles } from '@/lib/test/routes';

let cookie: string;
let datasetId: number;
const holder = 'page-routes-test';

beforeAll(async () => {
  cookie = (await signInRoles(['annotator'])).get('annotator')!;
  const { getDb } = await import('@/db');
  const { importGptEdit } = await import('@/lib/import/import-gpt-edit');
  datasetId = (await importGptEdit(getDb(), SAMPLES_DIR)).datasetId;
});
afterAll(closeRoutes);

const claim = (body: Record<string, unknown> = {}) =>
  callRoute('app/api/queue/claim/route.ts', 'POST', { cookie, body: { filter: { datasetId }, holder, count: 2, ...body } });

describe('review routes', () => {
  it('refuses a verdict naming another item’s edited image or instruction, records nothing, and the page keeps the item', async () => {
    const { getDb } = await import('@/db');
    const db = getDb().$client;
    const [first, second] = (await claim()).json.items as { id: number; currentCandidateId: number; currentInstructionId: number }[];
    const verdict = (body: Record<string, unknown>) =>
      callRoute('app/api/verdicts/route.ts', 'POST', {
        cookie,
        body: { filter: { datasetId }, holder, itemId: second.id, decision: 'accept', ...body },
      });

    const wrongCandidate = await verdict({ candidateId: first.currentCandidateId });
    expect(wrongCandidate.status).toBe(400);
    expect(wrongCandidate.json.error).toBe(`candidate ${first.currentCandidateId} is not a candidate of item ${second.id}`);
    const wrongInstruction = await verdict({ instructionVersionId: first.currentInstructionId });
    expect(wrongInstruction.status).toBe(400);
    expect(wrongInstruction.json.error).toBe(`instruction version ${first.currentInstructionId} does not belong to item ${second.id}`);
    expect(db.prepare('SELECT count(*) FROM verdicts WHERE item_id = ?').pluck().get(second.id)).toBe(0);
    expect((await claim()).json.items.map((item: { id: number }) => item.id)).toContain(second.id);

    const right = await verdict({ candidateId: second.currentCandidateId, instructionVersionId: second.currentInstructionId });
    expect(right.status).toBe(200);
  });

  it('gives an item back first when the page asks for it after its job ended', async () => {
    const { getDb } = await import('@/db');
    const { enqueueJob } = await import('@/lib/jobs/jobs');
    const db = getDb();
    const held = (await claim()).json.items.map((item: { id: number }) => item.id) as number[];
    const itemId = held[0];
    const annotator = db.$client.prepare(`SELECT id FROM users WHERE username = 'only-annotator'`).pluck().get() as string;
    const jobId = enqueueJob(db, { kind: 'regenerate', itemId, requestedBy: annotator, costUsd: 0 });
    db.$client.prepare('UPDATE items SET lease_holder = NULL, lease_expires_at = NULL WHERE id = ?').run(itemId);
    // While the job runs it stays away, asked for or not.
    expect((await claim({ prefer: [itemId] })).json.items.map((item: { id: number }) => item.id)).not.toContain(itemId);
    db.$client.prepare(`UPDATE jobs SET status = 'succeeded' WHERE id = ?`).run(jobId);
    const back = (await claim({ prefer: [itemId] })).json.items as { id: number }[];
    expect(back[0].id).toBe(itemId);
    expect((await claim({ prefer: [0] })).status).toBe(400);
  });

  it('answers the state of a page’s jobs in one request (GET /api/jobs?ids=), and refuses a loose id list', async () => {
    const { getDb } = await import('@/db');
    const { enqueueJob } = await import('@/lib/jobs/jobs');
    const db = getDb();
    const [a, b, c] = [1, 2, 3].map((itemId) => enqueueJob(db, { kind: 'rewrite', itemId, requestedBy: 'x', costUsd: 0 }));
    db.$client.prepare(`UPDATE jobs SET status = 'failed', error = 'boom' WHERE id = ?`).run(b);
    const jobs = (url: string) => callRoute('app/api/jobs/route.ts', 'GET', { cookie, url });
    const answer = await jobs(`/api/jobs?ids=${a},${b}`);
    expect(answer.status).toBe(200);
    expect(answer.json.jobs.map((j: { id: number; status: string }) => [j.id, j.status])).toEqual([
      [b, 'failed'],
      [a, 'queued'],
    ]);
    expect(answer.json.jobs.map((j: { id: number }) => j.id)).not.toContain(c);
    for (const bad of ['', `${a},0x2`, `${a},,${b}`, `${a}, ${b}`, '-1', Array.from({ length: 51 }, (_, i) => i + 1).join(',')]) {
      const refused = await jobs(`/api/jobs?ids=${encodeURIComponent(bad)}`);
      expect(refused.status, bad).toBe(400);
      expect(refused.text).toContain('ids');
    }
  });
});
