import os from 'node:os';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Db } from '@/db';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { importGptEdit } from '../import/import-gpt-edit';
import { claimJob, enqueueJob, getJob, requeueOrphans, waitForBudget } from './jobs';
import { batchSpend, BudgetSpentError, correctSpend, jobSpend, LockLostError, reserveSpend } from './spend';

let db: Db;
let items: number[];

beforeEach(async () => {
  db = tempDb().db;
  await importGptEdit(db, SAMPLES_DIR);
  items = db.$client.prepare('SELECT id FROM items ORDER BY id').pluck().all() as number[];
});
afterEach(cleanupTemp);

function batch(budgetUsd: number): number {
  return Number(
    db.$client
      .prepare(`INSERT INTO batches (kind, filter, budget_usd, estimated_usd, total, created_by) VALUES ('regenerate', '{}', ?, 0, 0, 't')`)
      .run(budgetUsd).lastInsertRowid,
  );
}

it('serves a reviewer’s own job before batch work, then the batch oldest first', () => {
  const batchId = batch(100);
  const batched = enqueueJob(db, { kind: 'regenerate', itemId: items[0], requestedBy: 't', batchId, costUsd: 0.1 });
  const single = enqueueJob(db, { kind: 'regenerate', itemId: items[1], requestedBy: 't', costUsd: 0.1 });
  expect(claimJob(db, 'w', 1000)?.id).toBe(single);
  expect(claimJob(db, 'w', 1000)?.id).toBe(batched);
  expect(claimJob(db, 'w', 1000)).toBeUndefined();
});

it('reserves before each call: concurrent calls cannot together pass the budget, a call cut off stays counted', () => {
  const batchId = batch(0.6);
  const first = enqueueJob(db, { kind: 'regenerate', itemId: items[0], requestedBy: 't', batchId, costUsd: 0.25 });
  const second = enqueueJob(db, { kind: 'regenerate', itemId: items[1], requestedBy: 't', batchId, costUsd: 0.25 });
  const now = Date.now();
  // Both are taken at once (nothing is committed yet); the reservations before the calls are the cap.
  expect(claimJob(db, 'w1', 1000, now)?.id).toBe(first);
  expect(claimJob(db, 'w2', 1000, now)?.id).toBe(second);
  reserveSpend(db, first, 'w1', 0.31); // worst case, more than the 0.25 estimate
  expect(() => reserveSpend(db, second, 'w2', 0.31)).toThrow(BudgetSpentError);
  expect(getJob(db, second)?.spentUsd).toBe(0);
  // The first call came back cheaper: corrected to its actual cost, the second may now go.
  correctSpend(db, first, 0.31, 0.2);
  reserveSpend(db, second, 'w2', 0.31);
  expect(batchSpend(db, batchId).spent).toBeCloseTo(0.51);
  // Only the worker holding a job can commit money to it.
  expect(() => reserveSpend(db, first, 'w2', 0.01)).toThrow(LockLostError);
});

it('cancels a batch job whose worker died mid-call when its committed spend leaves no room (and does not loop)', () => {
  const batchId = batch(0.3);
  const first = enqueueJob(db, { kind: 'regenerate', itemId: items[0], requestedBy: 't', batchId, costUsd: 0.25 });
  const now = Date.now();
  expect(claimJob(db, 'w1', 1000, now)?.id).toBe(first);
  reserveSpend(db, first, 'w1', 0.25);
  // w1 dies mid-call: the lock expires, the reservation stays (the call may have been billed).
  expect(claimJob(db, 'w2', 1000, now + 5000)).toBeUndefined();
  expect(getJob(db, first)).toMatchObject({ status: 'cancelled', error: 'batch budget spent', spentUsd: 0.25 });
  expect(db.$client.prepare('SELECT status FROM batches WHERE id = ?').pluck().get(batchId)).toBe('stopped');
});

it('a job that cannot be paid for while the batch has calls in flight waits for them instead of stopping the batch', () => {
  const batchId = batch(1);
  const jobs = items.slice(0, 4).map((itemId) => enqueueJob(db, { kind: 'regenerate', itemId, requestedBy: 't', batchId, costUsd: 0.25 }));
  const now = Date.now();
  for (const id of jobs.slice(0, 3)) {
    expect(claimJob(db, 'w', 60_000, now)?.id).toBe(id);
    reserveSpend(db, id, 'w', 0.3); // worst case: 0.9 of the 1.0 committed
  }
  expect(claimJob(db, 'w', 60_000, now)).toBeUndefined();
  expect(getJob(db, jobs[3])).toMatchObject({ status: 'queued', runAfter: now + 2000 });
  expect(db.$client.prepare('SELECT status FROM batches WHERE id = ?').pluck().get(batchId)).toBe('running');
  // The calls answer at their (smaller) actual cost: there is room again.
  for (const id of jobs.slice(0, 3)) correctSpend(db, id, 0.3, 0.2);
  expect(claimJob(db, 'w', 60_000, now + 2000)?.id).toBe(jobs[3]);
});

it('waitForBudget says false when the worker lost the job: nothing was requeued by it', () => {
  const batchId = batch(1);
  const [mine, other] = items
    .slice(0, 2)
    .map((itemId) => enqueueJob(db, { kind: 'regenerate', itemId, requestedBy: 't', batchId, costUsd: 0.25 }));
  const now = Date.now();
  expect(claimJob(db, 'w1', 1000, now)?.id).toBe(mine);
  expect(claimJob(db, 'w1', 60_000, now)?.id).toBe(other); // in flight: waiting would make sense
  // w1's lock on `mine` expired and w2 took it.
  expect(claimJob(db, 'w2', 60_000, now + 5000)?.id).toBe(mine);
  expect(waitForBudget(db, { id: mine, batchId }, 'w1', 2000, now + 5000)).toBe(false);
  expect(getJob(db, mine)).toMatchObject({ status: 'running', lockedBy: 'w2' });
  expect(waitForBudget(db, { id: mine, batchId }, 'w2', 2000, now + 5000)).toBe(true);
});

it('reserveAhead refuses a job of several calls before the first is sent; paid draws on it; what is unused is given back', async () => {
  const batchId = batch(0.5);
  const job = enqueueJob(db, { kind: 'regenerate_pair', itemId: items[0], requestedBy: 't', batchId, costUsd: 0.4 });
  expect(claimJob(db, 'w', 60_000)?.id).toBe(job);
  const spend = jobSpend(db, job, 'w');
  expect(() => spend.reserveAhead(0.3 + 0.3)).toThrow(BudgetSpentError);
  expect(getJob(db, job)?.spentUsd).toBe(0);

  spend.reserveAhead(0.2 + 0.25);
  expect(getJob(db, job)?.spentUsd).toBeCloseTo(0.45);
  // Only 0.05 of budget is left, yet the covered call goes (nothing more is reserved for it).
  let sent = 0;
  await spend.paid(
    0.2,
    async () => ++sent,
    () => 0.1,
  );
  expect(sent).toBe(1);
  expect(getJob(db, job)?.spentUsd).toBeCloseTo(0.35); // 0.1 paid + 0.25 still held for the second call
  spend.releaseUnused(); // the runner stopped before its second call
  expect(getJob(db, job)?.spentUsd).toBeCloseTo(0.1);
});

it("requeues running jobs of a dead worker on this host, or with an expired lock, but not a live worker's", () => {
  const [dead, expired, alive] = items
    .slice(0, 3)
    .map((itemId) => enqueueJob(db, { kind: 'regenerate', itemId, requestedBy: 't', costUsd: 0.1 }));
  const now = Date.now();
  const deadPid = 2 ** 22 + 12345; // above Linux's pid_max: no such process
  const host = os.hostname();
  claimJob(db, `${host}:${deadPid}:x`, 60_000, now);
  claimJob(db, `${host}:${process.pid}:y`, 1000, now);
  claimJob(db, `${host}:${process.pid}:z`, 60_000, now);
  expect(requeueOrphans(db, now + 5000)).toBe(2);
  expect([dead, expired, alive].map((id) => getJob(db, id)?.status)).toEqual(['queued', 'queued', 'running']);
  expect(requeueOrphans(db, now + 5000)).toBe(0);
});
