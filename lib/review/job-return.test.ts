import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { enqueueJob } from '@/lib/jobs/jobs';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { claimItems, leaseIfClaimable, releaseItemLease } from './queue';
import { claimQueue } from './queue-view';
import { recordVerdict } from './verdicts';

/** A review page asks for the item of its ended job back (`prefer`): first, on top of its lookahead, and only when claimable. */

let db: Db;
let datasetId: number;
const page = { holder: 'user-ann:tab-1', reviewer: 'ann' };
const other = { holder: 'user-bo:tab-1', reviewer: 'bo' };

beforeEach(async () => {
  db = tempDb().db;
  datasetId = (await importGptEdit(db, SAMPLES_DIR)).datasetId;
});
afterEach(cleanupTemp);

/** The page asks for a regeneration of its first item: the item leaves the page while the job runs. */
function regenerateFirst(): { itemId: number; jobId: number } {
  const [itemId] = claimItems(db, { datasetId }, page, 4);
  const jobId = enqueueJob(db, { kind: 'regenerate', itemId, requestedBy: 'ann', costUsd: 0.1 });
  releaseItemLease(db, page.holder, itemId);
  return { itemId, jobId };
}
const finish = (jobId: number) => db.$client.prepare(`UPDATE jobs SET status = 'succeeded' WHERE id = ?`).run(jobId);

describe('an ended job’s item comes back to the page that asked', () => {
  it('is not claimable while its job runs, then comes back first although the page holds a full lookahead', () => {
    const { itemId, jobId } = regenerateFirst();
    expect(claimQueue(db, { datasetId }, page, 4, [itemId]).items.map((i) => i.id)).not.toContain(itemId);
    finish(jobId);
    // Without asking, the page keeps its four other items: the ended job's item waits its turn.
    expect(claimQueue(db, { datasetId }, page, 4).items.map((i) => i.id)).not.toContain(itemId);
    const back = claimQueue(db, { datasetId }, page, 4, [itemId]).items;
    expect(back[0].id).toBe(itemId);
    expect(back).toHaveLength(5);
    // It stays the page's on the next plain claim too (held leases come first).
    expect(claimQueue(db, { datasetId }, page, 4).items.map((i) => i.id)).toContain(itemId);
  });

  it('is not taken from another page that holds it, nor given back after this reviewer decided it', () => {
    const { itemId, jobId } = regenerateFirst();
    finish(jobId);
    // Another page holds it (it was first in queue order for them).
    expect(claimItems(db, { datasetId }, other, 1)).toEqual([itemId]);
    expect(claimQueue(db, { datasetId }, page, 4, [itemId]).items.map((i) => i.id)).not.toContain(itemId);
    releaseItemLease(db, other.holder, itemId);
    recordVerdict(db, page, { itemId, decision: 'skip' });
    expect(leaseIfClaimable(db, { datasetId }, page, itemId)).toBe(false);
  });

  it('is ignored from anyone but the one who asked for the job: prefer picks no items out of queue order', () => {
    const { itemId, jobId } = regenerateFirst();
    // Before the job ends, not even for the one who asked.
    expect(leaseIfClaimable(db, { datasetId }, page, itemId)).toBe(false);
    finish(jobId);
    // Bo asks for Ann's item: ignored.
    expect(leaseIfClaimable(db, { datasetId }, other, itemId)).toBe(false);
    // Nor can Bo take a pending item nobody sent to a job (the last in queue order) ahead of its turn.
    const last = db.$client
      .prepare('SELECT id FROM items WHERE dataset_id = ? ORDER BY family DESC, task DESC, id DESC LIMIT 1')
      .pluck()
      .get(datasetId) as number;
    const claimed = claimQueue(db, { datasetId }, other, 1, [last]).items.map((i) => i.id);
    expect(claimed).toEqual([itemId]);
    expect(db.$client.prepare('SELECT lease_reviewer FROM items WHERE id = ?').pluck().get(last)).toBeNull();
    // Ann's own ask brings it back once Bo lets go.
    releaseItemLease(db, other.holder, itemId);
    expect(leaseIfClaimable(db, { datasetId }, page, itemId)).toBe(true);
  });

  it('is not given back outside the page’s queue', () => {
    const { itemId, jobId } = regenerateFirst();
    finish(jobId);
    const family = db.$client.prepare('SELECT family FROM items WHERE id = ?').pluck().get(itemId) as string;
    const elsewhere = family === 'omniedit' ? 'hqedit' : 'omniedit';
    expect(leaseIfClaimable(db, { datasetId, family: elsewhere }, page, itemId)).toBe(false);
  });
});
