import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { importGptEdit } from '../import/import-gpt-edit';
import { addHumanInstruction, getReviewItem, listItems } from './items';
import { claimItems, LEASE_MS, queueProgress, releaseLeases, renewLeases } from './queue';
import { recordVerdict, undoLastVerdict } from './verdicts';
import { LoupeError } from '@/lib/errors';

let db: Db;
let datasetId: number;
const alice = { holder: 'tab-alice-1', reviewer: 'alice' };
const bob = { holder: 'tab-bob-1', reviewer: 'bob' };

beforeEach(async () => {
  db = tempDb().db;
  datasetId = (await importGptEdit(db, SAMPLES_DIR)).datasetId;
});
afterEach(cleanupTemp);

const status = (id: number) => db.$client.prepare('SELECT status FROM items WHERE id = ?').pluck().get(id);

describe('claimItems', () => {
  it('gives two pages disjoint items, in (family, task, id) order', () => {
    const a = claimItems(db, { datasetId }, alice, 4);
    const b = claimItems(db, { datasetId }, bob, 4);
    expect(a).toHaveLength(4);
    expect(b).toHaveLength(4);
    expect(a.filter((id) => b.includes(id))).toEqual([]);
    const order = db.$client.prepare('SELECT id FROM items ORDER BY family, task, id').pluck().all();
    expect([...a, ...b]).toEqual(order.slice(0, 8));
  });

  it('returns what the page already holds first, and is stable when repeated', () => {
    const first = claimItems(db, { datasetId }, alice, 3);
    expect(claimItems(db, { datasetId }, alice, 3)).toEqual(first);
    recordVerdict(db, alice, { itemId: first[0], decision: 'accept' });
    const next = claimItems(db, { datasetId }, alice, 3);
    expect(next.slice(0, 2)).toEqual(first.slice(1));
    expect(next).not.toContain(first[0]);
  });

  it('lets another page take an item once its lease expired, not before', () => {
    const now = Date.now();
    const [held] = claimItems(db, { datasetId, family: 'omniedit', task: 'style' }, alice, 1, now);
    expect(claimItems(db, { datasetId, family: 'omniedit', task: 'style' }, bob, 1, now + LEASE_MS - 1)).toEqual([]);
    expect(claimItems(db, { datasetId, family: 'omniedit', task: 'style' }, bob, 1, now + LEASE_MS)).toEqual([held]);
    // Alice's late verdict is refused while Bob's lease is live.
    expect(() => recordVerdict(db, alice, { itemId: held, decision: 'accept' }, now + LEASE_MS + 1)).toThrow(LoupeError);
  });

  it('renewal keeps a lease alive; release frees it', () => {
    const now = Date.now();
    const [held] = claimItems(db, { datasetId, family: 'omniedit', task: 'style' }, alice, 1, now);
    expect(renewLeases(db, alice.holder, now + LEASE_MS - 1000)).toEqual({ expiresAt: now + 2 * LEASE_MS - 1000, renewed: 1 });
    expect(claimItems(db, { datasetId, family: 'omniedit', task: 'style' }, bob, 1, now + LEASE_MS + 1)).toEqual([]);
    expect(releaseLeases(db, alice.holder)).toBe(1);
    // Nothing held: the answer says so, not only a fresh expiry.
    expect(renewLeases(db, alice.holder, now + LEASE_MS)).toMatchObject({ renewed: 0 });
    expect(claimItems(db, { datasetId, family: 'omniedit', task: 'style' }, bob, 1, now + LEASE_MS + 1)).toEqual([held]);
    // A lapsed lease is not brought back by a renewal.
    expect(renewLeases(db, bob.holder, now + 3 * LEASE_MS)).toMatchObject({ renewed: 0 });
  });

  it('filters by family, task and instruction type', () => {
    const rewrite = claimItems(db, { datasetId, instructionType: 'rewrite' }, alice, 5);
    expect(rewrite).toHaveLength(1);
    expect(getReviewItem(db, rewrite[0])!.task).toBe('style');
    const ultra = claimItems(db, { datasetId, family: 'ultraedit' }, bob, 10);
    expect(ultra.map((id) => getReviewItem(db, id)!.family)).toEqual(['ultraedit', 'ultraedit', 'ultraedit', 'ultraedit']);
  });

  it('does not offer a reviewer the items they skipped, but offers them to others', () => {
    const filter = { datasetId, family: 'hqedit', task: 'edit' };
    const [first, second] = claimItems(db, filter, alice, 2);
    recordVerdict(db, alice, { itemId: first, decision: 'skip' });
    expect(status(first)).toBe('pending');
    expect(claimItems(db, filter, alice, 2)).toEqual([second]);
    expect(claimItems(db, filter, bob, 2)).toEqual([first]);
  });

  it('releases leases outside the new result when the filter changes', () => {
    claimItems(db, { datasetId, family: 'hqedit' }, alice, 3);
    const ultra = claimItems(db, { datasetId, family: 'ultraedit' }, alice, 2);
    const held = db.$client.prepare('SELECT id FROM items WHERE lease_holder = ? ORDER BY id').pluck().all(alice.holder);
    expect(held).toEqual([...ultra].sort((x, y) => x - y));
  });
});

describe('verdicts', () => {
  it('records accept and reject with reasons, and keeps progress exact', () => {
    const [a, b] = claimItems(db, { datasetId }, alice, 2);
    recordVerdict(db, alice, { itemId: a, decision: 'accept', msSpent: 1200 });
    recordVerdict(db, alice, { itemId: b, decision: 'reject', reasons: ['artifacts', 'other'], comment: ' blurry ' });
    expect([status(a), status(b)]).toEqual(['accepted', 'rejected']);
    expect(queueProgress(db, { datasetId })).toEqual({ reviewed: 2, total: 12 });
    const row = db.$client.prepare('SELECT reasons, comment, ms_spent FROM verdicts WHERE item_id = ?').get(b);
    expect(row).toEqual({ reasons: '["artifacts","other"]', comment: 'blurry', ms_spent: null });
    expect(() => recordVerdict(db, bob, { itemId: a, decision: 'reject' })).toThrow(/already accepted/);
  });

  it('refuses a candidate or instruction version of another item', () => {
    const [a, b] = claimItems(db, { datasetId }, alice, 2);
    const other = getReviewItem(db, b)!;
    expect(() => recordVerdict(db, alice, { itemId: a, decision: 'accept', candidateId: other.currentCandidateId })).toThrow(
      /not a candidate/,
    );
    expect(() => recordVerdict(db, alice, { itemId: a, decision: 'accept', instructionVersionId: other.currentInstructionId })).toThrow(
      /does not belong/,
    );
    expect(status(a)).toBe('pending');
  });

  it('undo walks back the reviewer’s own verdicts, appending rows and restoring status', () => {
    const [a, b] = claimItems(db, { datasetId }, alice, 2);
    recordVerdict(db, alice, { itemId: a, decision: 'accept' });
    recordVerdict(db, alice, { itemId: b, decision: 'reject' });
    expect(undoLastVerdict(db, bob)).toBeUndefined();
    expect(undoLastVerdict(db, alice)?.itemId).toBe(b);
    expect(status(b)).toBe('pending');
    expect(db.$client.prepare('SELECT lease_holder FROM items WHERE id = ?').pluck().get(b)).toBe(alice.holder);
    expect(undoLastVerdict(db, alice)?.itemId).toBe(a);
    expect(undoLastVerdict(db, alice)).toBeUndefined();
    expect(queueProgress(db, { datasetId })).toEqual({ reviewed: 0, total: 12 });
    const log = db.$client.prepare('SELECT decision FROM verdicts ORDER BY id').pluck().all();
    expect(log).toEqual(['accept', 'reject', 'undo', 'undo']);
  });

  it('a human edit becomes the current instruction and keeps the others', () => {
    const [style] = claimItems(db, { datasetId, instructionType: 'rewrite' }, alice, 1);
    const version = addHumanInstruction(db, style, '  Make it a pop-art poster.  ', 'alice');
    const item = getReviewItem(db, style)!;
    expect(item.instructions.map((v) => [v.kind, v.text])).toEqual([
      ['original', 'Make it a pop art piece.'],
      ['rewrite', 'Apply a posterized pop-art look with bold, saturated flat colors.'],
      ['human', 'Make it a pop-art poster.'],
    ]);
    expect(item.currentInstructionId).toBe(version.id);
    expect(() => addHumanInstruction(db, style, '   ', 'alice')).toThrow(/empty/);
  });
});

describe('listItems', () => {
  it('pages with a keyset cursor through every item exactly once', () => {
    const seen: number[] = [];
    let cursor;
    do {
      const page = listItems(db, { datasetId }, cursor, 5);
      seen.push(...page.rows.map((r) => r.id));
      cursor = page.next;
    } while (cursor);
    const order = db.$client.prepare('SELECT id FROM items ORDER BY family, task, id').pluck().all();
    expect(seen).toEqual(order);
    expect(listItems(db, { datasetId, status: 'accepted' }, undefined, 5).rows).toEqual([]);
  });

  it('uses an index for the queue and the page, never a full scan with a sort', () => {
    const plan = (sql: string, ...params: unknown[]) =>
      (db.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('\n');
    const queue = plan(`SELECT id FROM items WHERE dataset_id = ? AND status = 'pending' ORDER BY family, task, id LIMIT 4`, datasetId);
    expect(queue).toMatch(/USING (COVERING )?INDEX items_queue/);
    expect(queue).not.toMatch(/TEMP B-TREE/);
    const typed = plan(
      `SELECT id FROM items WHERE dataset_id = ? AND status = 'pending' AND instruction_type = 'rewrite' ORDER BY family, task, id LIMIT 4`,
      datasetId,
    );
    expect(typed).toMatch(/USING (COVERING )?INDEX items_queue_type/);
    expect(typed).not.toMatch(/TEMP B-TREE/);
  });
});
