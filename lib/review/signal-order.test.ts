import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { importGptEdit } from '../import/import-gpt-edit';
import { filterSql, listFilterSchema } from '../filter/filter';
import { listItems } from './items';
import { markGold, setReviewSettings } from './gold';
import { claimItems, pendingWithoutSignal } from './queue';
import { recordVerdict } from './verdicts';

let db: Db;
let datasetId: number;
/** item id → judge_overall of its current candidate; the last 2 items have none. */
let scores: Map<number, number>;

beforeEach(async () => {
  db = tempDb().db;
  datasetId = (await importGptEdit(db, SAMPLES_DIR)).datasetId;
  const items = db.$client.prepare('SELECT id, current_candidate_id AS candidate FROM items ORDER BY id').all() as {
    id: number;
    candidate: number;
  }[];
  scores = new Map();
  const insert = db.$client.prepare(
    `INSERT INTO signals (candidate_id, item_id, dataset_id, name, value) VALUES (?, ?, ?, 'judge_overall', ?)`,
  );
  items.slice(0, -2).forEach(({ id, candidate }, i) => {
    const value = (i * 7) % 10; // 0, 7, 4, 1, 8, 5, 2, 9, 6, 3: distinct, not in id order
    insert.run(candidate, id, datasetId, value);
    scores.set(id, value);
  });
});
afterEach(cleanupTemp);

const byScore = (dir: 1 | -1) => [...scores].sort((a, b) => dir * (a[1] - b[1]) || dir * (a[0] - b[0])).map(([id]) => id);

describe('ordering by a signal', () => {
  it('claims the lowest (or highest) judge score first, leaving out items without it', () => {
    const who = { holder: 'u:tab', reviewer: 'ana' };
    const ascending = claimItems(db, { datasetId, signal: 'judge_overall' }, who, 10);
    expect(ascending).toEqual(byScore(1));
    // The page's own leases come back in the same order.
    expect(claimItems(db, { datasetId, signal: 'judge_overall' }, who, 10)).toEqual(byScore(1));
    recordVerdict(db, who, { itemId: ascending[0], decision: 'accept' });
    expect(claimItems(db, { datasetId, signal: 'judge_overall' }, who, 3)).toEqual(byScore(1).slice(1, 4));
    const other = { holder: 'v:tab', reviewer: 'bo' };
    expect(claimItems(db, { datasetId, signal: 'judge_overall', sort: 'desc' }, other, 2)).toEqual(
      byScore(-1)
        .filter((id) => !byScore(1).slice(1, 4).includes(id))
        .slice(0, 2),
    );
  });

  it('counts the pending items a signal-ordered queue leaves out, as its tooltip says', () => {
    const unscored = [...db.$client.prepare('SELECT id FROM items ORDER BY id').pluck().all()].slice(-2) as number[];
    expect(pendingWithoutSignal(db, { datasetId, signal: 'judge_overall' })).toBe(2);
    expect(pendingWithoutSignal(db, { datasetId })).toBe(0);
    // A decided item is not pending: no longer counted.
    recordVerdict(db, { holder: 'x:tab', reviewer: 'x' }, { itemId: unscored[0], decision: 'accept' });
    expect(pendingWithoutSignal(db, { datasetId, signal: 'judge_overall', sort: 'desc' })).toBe(1);
  });

  it('mixes in no gold item without the signal (items without it are not in the queue)', () => {
    const unscored = [...db.$client.prepare('SELECT id FROM items ORDER BY id').pluck().all()].slice(-2) as number[];
    for (const id of unscored) {
      recordVerdict(db, { holder: 'lead:tab', reviewer: 'lead' }, { itemId: id, decision: 'accept' });
      markGold(db, id, 'lead');
    }
    setReviewSettings(db, datasetId, { goldRate: 1 });
    const claimed = claimItems(db, { datasetId, signal: 'judge_overall' }, { holder: 'u:tab', reviewer: 'ana' }, 5, Date.now(), () => 0);
    expect(claimed).toHaveLength(5);
    expect(claimed.filter((id) => unscored.includes(id))).toEqual([]);
    // In the default order the same gold items are offered.
    const plain = claimItems(db, { datasetId }, { holder: 'v:tab', reviewer: 'bo' }, 5, Date.now(), () => 0);
    expect(plain.filter((id) => unscored.includes(id)).length).toBeGreaterThan(0);
  });

  it('pages the dataset by a signal with a keyset, and filters by its range', () => {
    const filter = listFilterSchema.parse({ datasetId, signal: 'judge_overall', sort: 'desc' });
    const first = listItems(db, filter, undefined, 4);
    const second = listItems(db, filter, first.next, 4);
    const third = listItems(db, filter, second.next, 4);
    expect([...first.rows, ...second.rows, ...third.rows].map((r) => r.id)).toEqual(byScore(-1));
    expect(first.rows[0].signal).toBe(9);
    expect(third.next).toBeUndefined();

    const ranged = listFilterSchema.parse({ datasetId, signal: 'judge_overall', signalMin: 2, signalMax: 4 });
    const { where, params } = filterSql(ranged);
    const ids = db.$client
      .prepare(`SELECT id FROM items WHERE ${where} ORDER BY id`)
      .pluck()
      .all(...params);
    expect(ids).toEqual(
      [...scores]
        .filter(([, v]) => v >= 2 && v <= 4)
        .map(([id]) => id)
        .sort((a, b) => a - b),
    );
    expect(() => listFilterSchema.parse({ datasetId, signalMin: 2 })).toThrow(/a signal range needs the signal/);
    expect(() => listFilterSchema.parse({ datasetId, sort: 'asc' })).toThrow(/a sort needs a score or a signal/);
  });

  it('walks the signals_rank index, not the items table', () => {
    const plan = db.$client
      .prepare(
        `EXPLAIN QUERY PLAN SELECT items.id FROM signals s JOIN items ON items.id = s.item_id AND items.current_candidate_id = s.candidate_id
         WHERE s.dataset_id = ? AND s.name = ? AND s.value IS NOT NULL AND items.status = 'pending' ORDER BY s.value, s.item_id LIMIT 4`,
      )
      .all(datasetId, 'judge_overall') as { detail: string }[];
    const text = plan.map((p) => p.detail).join('\n');
    expect(text).toMatch(/signals_rank/);
    expect(text).not.toMatch(/SCAN items/);
    expect(text).not.toMatch(/TEMP B-TREE/);
  });
});
