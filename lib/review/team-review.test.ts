import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { importGptEdit } from '../import/import-gpt-edit';
import { filterSql } from '../filter/filter';
import { markGold, setReviewSettings, unmarkGold } from './gold';
import { claimItems, liveLeases, releaseItemByLead } from './queue';
import { queueItem } from './queue-view';
import { adjudicate, recordVerdict, undoLastVerdict } from './verdicts';
import { LoupeError } from '@/lib/errors';

let db: Db;
let datasetId: number;
const ann = (name: string) => ({ holder: `user-${name}:tab-1`, reviewer: name });
const alice = ann('alice');
const bob = ann('bob');
const carol = ann('carol');

beforeEach(async () => {
  db = tempDb().db;
  datasetId = (await importGptEdit(db, SAMPLES_DIR)).datasetId;
});
afterEach(cleanupTemp);

const status = (id: number) => db.$client.prepare('SELECT status FROM items WHERE id = ?').pluck().get(id);
const countOf = (s: string) => db.$client.prepare('SELECT coalesce(sum(n), 0) FROM item_counts WHERE status = ?').pluck().get(s) as number;

/** Claims one item and decides it, as a review page does. */
function decide(who: typeof alice, decision: 'accept' | 'reject' | 'skip', filter = { datasetId }) {
  const [id] = claimItems(db, filter, who, 1);
  recordVerdict(db, who, { itemId: id, decision });
  return id;
}

describe('overlap', () => {
  it('keeps an item pending until k verdicts agree, and never gives it to the same annotator twice', () => {
    setReviewSettings(db, datasetId, { overlap: 2 });
    const first = decide(alice, 'accept');
    expect(status(first)).toBe('pending');
    // Alice moves on; Bob gets the item she decided, since it still needs a verdict.
    expect(claimItems(db, { datasetId }, alice, 1)).not.toContain(first);
    releaseAll();
    const [again] = claimItems(db, { datasetId }, bob, 1);
    expect(again).toBe(first);
    recordVerdict(db, bob, { itemId: first, decision: 'accept' });
    expect(status(first)).toBe('accepted');
    expect(() => recordVerdict(db, carol, { itemId: first, decision: 'reject' })).toThrow(/already accepted/);
  });

  it('sends a disagreement to adjudication, where the lead decides', () => {
    setReviewSettings(db, datasetId, { overlap: 2 });
    const id = decide(alice, 'accept');
    releaseAll();
    const [same] = claimItems(db, { datasetId }, bob, 1);
    expect(same).toBe(id);
    recordVerdict(db, bob, { itemId: id, decision: 'reject', reasons: ['artifacts'] });
    expect(status(id)).toBe('disputed');
    expect(countOf('disputed')).toBe(1);
    // Nobody is offered a disputed item.
    releaseAll();
    expect(claimItems(db, { datasetId }, carol, 12)).not.toContain(id);
    releaseAll();

    expect(() => adjudicate(db, 'lead', { itemId: first(), decision: 'accept' })).toThrow(/only disputed/);
    adjudicate(db, 'lead', { itemId: id, decision: 'reject', comment: 'seam at the left edge' });
    expect(status(id)).toBe('rejected');
    expect(countOf('disputed')).toBe(0);
    // A second adjudication of the same item replaces the first.
    adjudicate(db, 'lead', { itemId: id, decision: 'accept' });
    expect(status(id)).toBe('accepted');
  });

  it('an undo re-derives the status and gives the item back', () => {
    setReviewSettings(db, datasetId, { overlap: 2 });
    const id = decide(alice, 'accept');
    releaseAll();
    claimItems(db, { datasetId }, bob, 1);
    recordVerdict(db, bob, { itemId: id, decision: 'reject' });
    expect(status(id)).toBe('disputed');
    expect(undoLastVerdict(db, bob)).toMatchObject({ itemId: id });
    expect(status(id)).toBe('pending');
    expect(claimItems(db, { datasetId }, bob, 1)).toEqual([id]);
    recordVerdict(db, bob, { itemId: id, decision: 'accept' });
    expect(status(id)).toBe('accepted');
  });

  it('refuses a second verdict by the same annotator', () => {
    setReviewSettings(db, datasetId, { overlap: 3 });
    const id = decide(alice, 'accept');
    expect(() => recordVerdict(db, alice, { itemId: id, decision: 'reject' })).toThrow(/already gave a verdict/);
  });
});

describe('gold items', () => {
  it('mixes gold into queues at the rate, scores the verdict, and never changes the item', () => {
    const id = decide(alice, 'accept');
    expect(status(id)).toBe('accepted');
    const gold = markGold(db, id, 'lead');
    expect(gold.expected).toBe('accept');
    setReviewSettings(db, datasetId, { goldRate: 0.5 });

    // random() below the rate: the slot is the gold item, shown as pending like any other.
    const claimed = claimItems(db, { datasetId }, bob, 1, Date.now(), () => 0);
    expect(claimed).toEqual([id]);
    expect(queueItem(db, id)!.status).toBe('pending');
    recordVerdict(db, bob, { itemId: id, decision: 'reject' });
    expect(status(id)).toBe('accepted');
    const verdict = db.$client.prepare("SELECT kind, gold_expected AS expected, decision FROM verdicts WHERE reviewer = 'bob'").get();
    expect(verdict).toEqual({ kind: 'gold', expected: 'accept', decision: 'reject' });
    // A gold answer never makes Bob the reviewer of the item's live verdict (filters, exports).
    const byReviewer = (reviewer: string) => {
      const { where, params } = filterSql({ datasetId, reviewer });
      return db.$client
        .prepare(`SELECT id FROM items WHERE ${where}`)
        .pluck()
        .all(...params);
    };
    expect(byReviewer('bob')).toEqual([]);
    expect(byReviewer('alice')).toEqual([id]);
    // Answered once: Bob is not offered it again.
    expect(claimItems(db, { datasetId }, bob, 1, Date.now(), () => 0)).not.toContain(id);
    // random() above the rate: no gold.
    releaseAll();
    expect(claimItems(db, { datasetId }, carol, 1, Date.now(), () => 0.9)).not.toContain(id);
    // An undo of a gold verdict leaves the item decided and shows it again.
    undoLastVerdict(db, bob);
    expect(status(id)).toBe('accepted');
  });

  it('only decided items can be gold; unmarking keeps past answers scored', () => {
    const [pending] = claimItems(db, { datasetId }, alice, 1);
    expect(() => markGold(db, pending, 'lead')).toThrow(LoupeError);
    recordVerdict(db, alice, { itemId: pending, decision: 'reject' });
    expect(markGold(db, pending, 'lead', 'accept').expected).toBe('accept');
    expect(unmarkGold(db, pending)).toBe(true);
    expect(unmarkGold(db, pending)).toBe(false);
  });
});

describe('leases for leads', () => {
  it('lists live leases with their reviewer and lets a lead release one', () => {
    const [a] = claimItems(db, { datasetId }, alice, 1);
    claimItems(db, { datasetId }, bob, 2);
    const leases = liveLeases(db);
    expect(leases.map((l) => l.reviewer)).toEqual(['alice', 'bob', 'bob']);
    expect(releaseItemByLead(db, a)).toBe(true);
    expect(liveLeases(db).map((l) => l.reviewer)).toEqual(['bob', 'bob']);
    expect(claimItems(db, { datasetId }, carol, 1)).toEqual([a]);
  });
});

function releaseAll() {
  db.$client.prepare('UPDATE items SET lease_holder = NULL, lease_reviewer = NULL, lease_expires_at = NULL').run();
}

function first(): number {
  return db.$client.prepare("SELECT id FROM items WHERE status = 'pending' ORDER BY id LIMIT 1").pluck().get() as number;
}
