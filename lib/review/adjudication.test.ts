import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { importGptEdit } from '../import/import-gpt-edit';
import { disputedCounts, itemVerdicts, listDisputed, listDisputedSql, nextDisputed, versionOptions } from './adjudication';
import { decidedVersion } from './decided';
import { setReviewSettings } from './gold';
import { adjudicate, recordVerdict, undoLastVerdict } from './verdicts';

let db: Db;
let datasetId: number;
let otherId: number;
const alice = { holder: 'user-alice:tab-1', reviewer: 'alice' };
const bob = { holder: 'user-bob:tab-1', reviewer: 'bob' };

/** Items 1..12 in the samples dataset, 13..24 in a second one. */
beforeEach(async () => {
  db = tempDb().db;
  datasetId = (await importGptEdit(db, SAMPLES_DIR)).datasetId;
  otherId = (await importGptEdit(db, SAMPLES_DIR, { dataset: 'second' })).datasetId;
  setReviewSettings(db, datasetId, { overlap: 2 });
  setReviewSettings(db, otherId, { overlap: 2 });
});
afterEach(cleanupTemp);

function dispute(itemId: number) {
  recordVerdict(db, alice, { itemId, decision: 'accept' });
  recordVerdict(db, bob, { itemId, decision: 'reject', reasons: ['artifacts'] });
}

const ids = (page: { items: { id: number }[] }) => page.items.map((i) => i.id);

describe('listDisputed', () => {
  it('pages disputed items by id, per dataset or across datasets', () => {
    for (const id of [2, 3, 5, 7, 8, 11, 12, 14, 20]) dispute(id);
    recordVerdict(db, alice, { itemId: 4, decision: 'accept' });
    recordVerdict(db, bob, { itemId: 4, decision: 'accept' }); // agreed: accepted

    const first = listDisputed(db, { datasetId, limit: 3 });
    expect(ids(first)).toEqual([2, 3, 5]);
    expect(first.next).toBe(5);
    const second = listDisputed(db, { datasetId, limit: 3, after: first.next });
    expect(ids(second)).toEqual([7, 8, 11]);
    const last = listDisputed(db, { datasetId, limit: 3, after: second.next });
    expect(ids(last)).toEqual([12]);
    expect(last.next).toBeUndefined();

    expect(ids(listDisputed(db, { limit: 50 }))).toEqual([2, 3, 5, 7, 8, 11, 12, 14, 20]);
    expect(ids(listDisputed(db, { after: 12, limit: 1 }))).toEqual([14]);
    expect(ids(listDisputed(db, { datasetId: otherId }))).toEqual([14, 20]);
    expect(ids(listDisputed(db, { datasetId: 99 }))).toEqual([]);

    const row = first.items[0];
    expect(row).toMatchObject({ id: 2, datasetId, verdicts: 2, accepts: 1, rejects: 1 });
    expect(row.instruction.length).toBeGreaterThan(0);
    expect(row.datasetName).toBe('gpt-edit');
    expect(listDisputed(db, { datasetId: otherId }).items[0].datasetName).toBe('second');

    // An adjudicated item leaves the queue.
    adjudicate(db, 'lead1', { itemId: 3, decision: 'accept' });
    expect(ids(listDisputed(db, { datasetId, limit: 3 }))).toEqual([2, 5, 7]);
    expect(disputedCounts(db)).toEqual([
      { datasetId, name: 'gpt-edit', disputed: 6 },
      { datasetId: otherId, name: 'second', disputed: 2 },
    ]);
  });

  it('finds the next disputed item, wrapping around and never the same one', () => {
    for (const id of [3, 6, 15]) dispute(id);
    expect(nextDisputed(db, 3, datasetId)).toBe(6);
    expect(nextDisputed(db, 6, datasetId)).toBe(3);
    expect(nextDisputed(db, 6)).toBe(15);
    expect(nextDisputed(db, 15)).toBe(3);
    expect(nextDisputed(db, 15, otherId)).toBeUndefined();
    expect(nextDisputed(db, 1, otherId)).toBe(15);
  });

  it('seeks items_queue instead of walking every item', () => {
    for (const byDataset of [true, false]) {
      const plan = db.$client
        .prepare(`EXPLAIN QUERY PLAN ${listDisputedSql(byDataset)}`)
        .all(byDataset ? { dataset: datasetId, after: 0, limit: 10 } : { after: 0, limit: 10 }) as { detail: string }[];
      const details = plan.map((p) => p.detail);
      expect(details.filter((d) => /^SCAN /.test(d))).toEqual([]);
      expect(details.some((d) => /USING (COVERING )?INDEX items_queue \(dataset_id=\? AND status=\?\)/.test(d))).toBe(true);
    }
  });
});

describe('itemVerdicts', () => {
  it('lists every verdict with its kind and whether it was undone', () => {
    dispute(2);
    undoLastVerdict(db, bob, Date.now() + 5);
    recordVerdict(db, bob, { itemId: 2, decision: 'reject', reasons: ['identity_changed'], comment: 'face changed' });
    adjudicate(db, 'lead1', { itemId: 2, decision: 'reject', comment: 'agree with bob' });
    const verdicts = itemVerdicts(db, 2);
    expect(verdicts.map((v) => [v.reviewer, v.decision, v.kind, v.undone])).toEqual([
      ['alice', 'accept', 'review', false],
      ['bob', 'reject', 'review', true],
      ['bob', 'reject', 'review', false],
      ['lead1', 'reject', 'adjudication', false],
    ]);
    expect(verdicts[1].reasons).toEqual(['artifacts']);
    expect(verdicts[1].undoneAt).toBeGreaterThan(0);
    expect(verdicts[2]).toMatchObject({ reasons: ['identity_changed'], comment: 'face changed', undoneAt: null });
    expect(verdicts[3].comment).toBe('agree with bob');
    expect(itemVerdicts(db, 999)).toEqual([]);
  });
});

describe('versionOptions', () => {
  it('offers each version the reviewers accepted, with who accepted it; the lead’s pick becomes the decided version', () => {
    const itemId = 1;
    const dataset = db.$client
      .prepare('SELECT current_candidate_id AS candidateId, current_instruction_id AS instructionId FROM items WHERE id = ?')
      .get(itemId) as {
      candidateId: number;
      instructionId: number;
    };
    recordVerdict(db, alice, { itemId, decision: 'accept' });
    // A regeneration made current after Alice's accept; Bob accepts that one.
    const regeneration = Number(
      db.$client
        .prepare(
          `INSERT INTO candidates (item_id, origin, root_id, path, width, height) SELECT item_id, 'regenerated', root_id, path, width, height FROM candidates WHERE id = ?`,
        )
        .run(dataset.candidateId).lastInsertRowid,
    );
    db.$client.prepare('UPDATE items SET current_candidate_id = ? WHERE id = ?').run(regeneration, itemId);
    expect(recordVerdict(db, bob, { itemId, decision: 'accept', candidateId: regeneration }).status).toBe('disputed');

    const current = { candidateId: regeneration, instructionId: dataset.instructionId };
    expect(versionOptions(itemVerdicts(db, itemId), current)).toEqual([
      { ...current, acceptedBy: ['bob'] },
      { ...dataset, acceptedBy: ['alice'] },
    ]);
    adjudicate(db, 'lee', { itemId, decision: 'accept', candidateId: dataset.candidateId, instructionVersionId: dataset.instructionId });
    expect(decidedVersion(db, itemId)).toMatchObject(dataset);
  });
});
