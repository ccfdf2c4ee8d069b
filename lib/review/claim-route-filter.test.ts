/**
 * The claim API takes the browser's terms ("Review these" on a signal range, a hand-picked
 * selection) from a lead: over HTTP, a claim with a signal range leases only the items in it and
 * counts its progress over them. Lead-only terms (status, reviewer, dates) are dropped, not
 * refused. An annotator's claim gets the queue's own terms only: a selection would let them pick
 * their items around gold checks, or read from the progress whether one item was decided.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLES_DIR } from '@/lib/test/factories';
import { callRoute, closeRoutes, signInRoles } from '@/lib/test/routes';

let lead: string;
let annotator: string;
let datasetId: number;
let itemCount: number;
/** The 3 items whose ssim is in [0.25, 0.55], and two outside it. */
let inRange: number[];
let outside: number[];

beforeAll(async () => {
  const cookies = await signInRoles(['annotator', 'lead']);
  lead = cookies.get('lead')!;
  annotator = cookies.get('annotator')!;
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
  itemCount = items.length;
  inRange = items.filter((_, i) => i / 10 >= 0.25 && i / 10 <= 0.55).map(({ id }) => id);
  outside = items.slice(0, 2).map(({ id }) => id);
});
afterAll(closeRoutes);

const claim = (filter: Record<string, unknown>, holder: string, cookie = lead) =>
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

  it("gives an annotator the queue's own terms: neither a range nor a selection narrows it", async () => {
    const ranged = await claim({ signal: 'ssim', signalMin: 0.25, signalMax: 0.55 }, 'page-annotator-range', annotator);
    expect(ranged.status).toBe(200);
    expect(ranged.json.progress).toEqual({ reviewed: 0, total: itemCount });
    const picked = await claim({ ids: outside }, 'page-annotator-ids', annotator);
    expect(picked.json.progress).toEqual({ reviewed: 0, total: itemCount });
    // The range did not narrow the items either: the first claim leased items outside it.
    expect((ranged.json.items as { id: number }[]).some((item) => !inRange.includes(item.id))).toBe(true);
  });
});
