import { afterEach, expect, it } from 'vitest';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { regenerationSummary } from './regeneration';

afterEach(cleanupTemp);

it('spend is the money jobs committed: a call cut off counts, a failed job too, a running one at its reservation', async () => {
  const { db } = tempDb();
  await importGptEdit(db, SAMPLES_DIR);
  const item = db.$client.prepare('SELECT min(id) FROM items').pluck().get();
  const job = (status: string, cost: number, spent: number) =>
    db.$client
      .prepare(`INSERT INTO jobs (kind, item_id, status, cost_usd, spent_usd, requested_by) VALUES ('regenerate', ?, ?, ?, ?, 'lead')`)
      .run(item, status, cost, spent);
  job('succeeded', 0.1, 0.35); // two attempts cut off at 0.125 each, then 0.1 paid
  job('failed', 0.2, 0.25); // gave up after a call that never answered
  job('running', 0.2, 0.3); // its call in flight, reserved at the worst case
  job('queued', 0.2, 0);
  const regenerate = regenerationSummary(db).kinds.find((k) => k.kind === 'regenerate')!;
  expect(regenerate.spentUsd).toBeCloseTo(0.9, 12);
  expect(regenerate.usdPerSuccess).toBeCloseTo(0.9, 12);
  expect(regenerate.pendingUsd).toBeCloseTo(0.2, 12); // the queued one; the running one committed more than its estimate
});
