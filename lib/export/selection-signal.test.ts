/**
 * An export honours a signal range like the dataset page does: before, the selection
 * dropped signal, signalMin and signalMax and exported every item of the status.
 */
import { afterEach, expect, it } from 'vitest';
import { cleanupTemp } from '@/lib/test/factories';
import { listTaskGroups } from './selection';
import { reviewedSamples } from '@/lib/test/export';

afterEach(cleanupTemp);

it('a signal range narrows the export to the items whose signal is in it', async () => {
  const { db } = await reviewedSamples();
  const items = db.$client
    .prepare("SELECT id, dataset_id, current_candidate_id FROM items WHERE status = 'accepted' ORDER BY id")
    .all() as {
    id: number;
    dataset_id: number;
    current_candidate_id: number;
  }[];
  expect(items.length).toBeGreaterThan(1);
  const insert = db.$client.prepare(
    "INSERT INTO signals (candidate_id, item_id, dataset_id, name, value) VALUES (?, ?, ?, 'judge_overall', ?)",
  );
  items.forEach((item, i) => insert.run(item.current_candidate_id, item.id, item.dataset_id, i === 0 ? 0.9 : 0.1));

  const total = (selection: Parameters<typeof listTaskGroups>[1]) => listTaskGroups(db, selection).reduce((n, g) => n + g.n, 0);
  expect(total({ status: 'accepted' })).toBe(items.length);
  expect(total({ status: 'accepted', signal: 'judge_overall', signalMin: 0.5 })).toBe(1);
  expect(total({ status: 'accepted', signal: 'judge_overall', signalMax: 0.5 })).toBe(items.length - 1);
});
