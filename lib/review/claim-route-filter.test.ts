/**
 * The claim API takes the browser's terms ("Review these" on a signal range, a hand-picked
 * selection): over HTTP, a claim with a signal range leases only the items in it and counts its
 * progress over them. Lead-only terms (status, reviewer, dates) are dropped, not refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLES_DIR } from '@/lib/test/factories';
import { callRoute, closeRoutes, signInRoles } from '@/lib/test/routes';

let cookie: string;
let datasetId: number;
/** The 3 items whose ssim is in [0.25, 0.55], and two outside it. */
let inRange: number[];
let outside: number[];

beforeAll(async () => {
  cookie = (await signInRoles(['annotator'])).get('annotator')!;
  const { getDb } = await import('@/db');
  const { importGptEdit } = await import('@/lib/import/import-gpt-edit');
  const db = getDb();
  datasetId = (await importGptEdit(db, SAMPLES_DIR)).datasetId;
  const items = db.$client
    .prepare('SELECT id, current_candidate_id AS candidate FROM items WHERE dataset_id = ? ORDER BY id')
    .all(datasetId) as {
    id: number;
    candidate: number;
  }[];
  const insert = db.$client.prepare(`INSERT INTO signals (candidate_id, item_id, dataset_id, name, value) VALUES (?, ?, ?, 'ssim', ?)`);
  items.forEach(({ id, candidate }, i) => insert.run(candidate, id, datasetId, i / 10));
  inRange = items.filter((_, i) => i / 10 >= 0.25 && i / 10 <= 0.55).map(({ id }) => id);
  outside = items.slice(0, 2).map(({ id }) => id);
});
afterAll(closeRoutes);

const claim = (filter: Record<string, unknown>, holder: string) =>
  callRoute('app/api/queue/claim/route.ts', 'POST', { cookie, body: { filter: { datasetId, ...filter }, holder, count: 10 } });

describe('claim with the browser terms', () => {
  it('leases only the items in a signal range and counts progress over them', async () => {
    const answer = await claim({ signal: 'ssim', signalMin: 0.25, signalMax: 0.55, status: 'accepted' }, 'page-range-test');
    expect(answer.status).toBe(200);
    const ids = (answer.json.items as { id: number }[]).map((item) => item.id).sort((a, b) => a - b);
    expect(inRange).toHaveLength(3);
    expect(ids).toEqual(inRange);
    expect(answer.json.progress).toEqual({ reviewed: 0, total: 3 });
  });

  it('leases only a hand-picked selection, and refuses a range without its signal', async () => {
    const answer = await claim({ ids: outside }, 'page-ids-test');
    expect((answer.json.items as { id: number }[]).map((item) => item.id).sort((a, b) => a - b)).toEqual(outside);
    expect((await claim({ signalMin: 0.2 }, 'page-bad-test')).status).toBe(400);
  });
});
