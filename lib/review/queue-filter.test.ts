import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { claimItems, queueProgress } from './queue';
import { recordVerdict } from './verdicts';

/** A queue with the dataset browser's other terms ("Review these" on a signal range, a text, a hand-picked selection). */

let db: Db;
let datasetId: number;
/** item id → ssim of its current candidate (0, 0.1, … 0.9); the last 2 items have none. */
let values: Map<number, number>;

beforeEach(async () => {
  db = tempDb().db;
  datasetId = (await importGptEdit(db, SAMPLES_DIR)).datasetId;
  const items = db.$client.prepare('SELECT id, current_candidate_id AS candidate FROM items ORDER BY id').all() as {
    id: number;
    candidate: number;
  }[];
  const insert = db.$client.prepare(`INSERT INTO signals (candidate_id, item_id, dataset_id, name, value) VALUES (?, ?, ?, 'ssim', ?)`);
  values = new Map();
  items.slice(0, -2).forEach(({ id, candidate }, i) => {
    insert.run(candidate, id, datasetId, i / 10);
    values.set(id, i / 10);
  });
});
afterEach(cleanupTemp);

const who = { holder: 'u:tab', reviewer: 'ana' };
const inRange = (min: number, max: number) =>
  [...values]
    .filter(([, value]) => value >= min && value <= max)
    .map(([id]) => id)
    .sort((a, b) => a - b);

/** The SQL the connection prepares from now on (the real connection; only prepare is observed). */
function recordPrepared(): string[] {
  const prepared: string[] = [];
  const prepare = db.$client.prepare.bind(db.$client);
  db.$client.prepare = ((sql: string) => (prepared.push(sql), prepare(sql))) as typeof db.$client.prepare;
  return prepared;
}

/** EXPLAIN QUERY PLAN of a recorded statement, its lines joined (the plan does not depend on the values bound). */
function planOf(sql: string): string {
  const placeholders = sql.split('?').length - 1;
  const plan = db.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array(placeholders).fill(null)) as { detail: string }[];
  return plan.map((row) => row.detail).join('\n');
}

describe('a queue with the browser terms', () => {
  it('claims only the items in a signal range, and counts its progress over them', () => {
    const filter = { datasetId, signal: 'ssim' as const, signalMin: 0.25, signalMax: 0.55 };
    const claimed = claimItems(db, filter, who, 10);
    expect([...claimed].sort((a, b) => a - b)).toEqual(inRange(0.25, 0.55));
    expect(claimed).toHaveLength(3);
    expect(queueProgress(db, filter)).toEqual({ reviewed: 0, total: 3 });
    recordVerdict(db, who, { itemId: claimed[0], decision: 'accept' });
    expect(queueProgress(db, filter)).toEqual({ reviewed: 1, total: 3 });
    // Without the range, the whole dataset.
    expect(queueProgress(db, { datasetId }).total).toBe(values.size + 2);
  });

  it('seeks a signal range in the signal index instead of walking it from the lowest value', () => {
    const prepared = recordPrepared();
    const filter = { datasetId, signal: 'ssim' as const, signalMin: 0.25, signalMax: 0.55 };
    claimItems(db, filter, who, 2);
    const walk = prepared.find((sql) => sql.includes('FROM signals s'));
    expect(walk).toBeDefined();
    // The index search itself is bounded by the range (one line of the plan).
    expect(planOf(walk!)).toMatch(/signals_rank.*value>\? AND value<\?/);
  });

  it("counts a signal range's progress over its range of the signal index", () => {
    const prepared = recordPrepared();
    expect(queueProgress(db, { datasetId, signal: 'ssim', signalMin: 0.25, signalMax: 0.55 })).toEqual({ reviewed: 0, total: 3 });
    expect(queueProgress(db, { datasetId, signal: 'ssim', signalMin: 0.85 })).toEqual({ reviewed: 0, total: 1 });
    const count = prepared.find((sql) => sql.includes('FROM signals s'));
    expect(count).toBeDefined();
    expect(planOf(count!)).toMatch(/signals_rank.*value>\? AND value<\?/);
  });

  it('claims only a hand-picked selection', () => {
    const ids = [...values.keys()].slice(2, 4);
    expect([...claimItems(db, { datasetId, ids }, who, 10)].sort((a, b) => a - b)).toEqual(ids);
    expect(queueProgress(db, { datasetId, ids })).toEqual({ reviewed: 0, total: 2 });
  });

  it('mixes gold items in from the queue itself, not only from the selection', () => {
    const [gold, ...rest] = [...values.keys()];
    db.$client.prepare(`UPDATE items SET status = 'accepted' WHERE id = ?`).run(gold);
    db.$client
      .prepare(`INSERT INTO gold_items (item_id, dataset_id, expected, created_by) VALUES (?, ?, 'accept', 'lead')`)
      .run(gold, datasetId);
    db.$client.prepare('UPDATE datasets SET gold_rate = 1 WHERE id = ?').run(datasetId);
    const ids = rest.slice(0, 2);
    const claimed = claimItems(db, { datasetId, ids }, who, 2, Date.now(), () => 0);
    expect(claimed).toContain(gold);
    expect(claimed.filter((id) => id !== gold).every((id) => ids.includes(id))).toBe(true);
  });

  it('never leases one item twice when a gold item is also pending', () => {
    const first = db.$client.prepare('SELECT id FROM items WHERE dataset_id = ? ORDER BY family, task, id LIMIT 1').pluck().get(datasetId);
    db.$client
      .prepare(`INSERT INTO gold_items (item_id, dataset_id, expected, created_by) VALUES (?, ?, 'accept', 'lead')`)
      .run(first, datasetId);
    db.$client.prepare('UPDATE datasets SET gold_rate = 1 WHERE id = ?').run(datasetId);
    const claimed = claimItems(db, { datasetId }, who, 3, Date.now(), () => 0);
    expect(claimed).toHaveLength(3);
    expect(new Set(claimed).size).toBe(3);
  });
});
