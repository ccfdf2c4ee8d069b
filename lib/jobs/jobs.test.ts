import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Db } from '@/db';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { importGptEdit } from '../import/import-gpt-edit';
import { claimJob, enqueueJob, getJob } from './jobs';

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

it('cancels an over-budget batch job whose worker died instead of taking it again (and does not loop)', () => {
  const batchId = batch(0.3);
  const first = enqueueJob(db, { kind: 'regenerate', itemId: items[0], requestedBy: 't', batchId, costUsd: 0.25 });
  const second = enqueueJob(db, { kind: 'regenerate', itemId: items[1], requestedBy: 't', batchId, costUsd: 0.25 });
  const now = Date.now();
  expect(claimJob(db, 'w1', 1000, now)?.id).toBe(first);
  // The second job would overspend while the first runs: the batch stops, the job is cancelled.
  expect(claimJob(db, 'w1', 1000, now)).toBeUndefined();
  expect(getJob(db, second)).toMatchObject({ status: 'cancelled', error: 'batch budget spent' });
  // The first job's worker died (lock expired) and actual costs elsewhere ate the budget.
  db.$client.prepare('UPDATE batches SET budget_usd = 0.1 WHERE id = ?').run(batchId);
  expect(claimJob(db, 'w2', 1000, now + 5000)).toBeUndefined();
  expect(getJob(db, first)).toMatchObject({ status: 'cancelled', error: 'batch budget spent' });
  expect(db.$client.prepare('SELECT status FROM batches WHERE id = ?').pluck().get(batchId)).toBe('stopped');
});
