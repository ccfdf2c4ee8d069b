import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { recordVerdict } from '@/lib/review/verdicts';
import { cleanupTemp, copySamples, tempDb } from '@/lib/test/factories';
import { openaiConfig } from '../openai/config';
import { estimateBatch, type BatchFilter } from './batch';
import { catchUpSizeCounts, refreshSizeCounts } from './size-counts';

const config = openaiConfig({ OPENAI_API_KEY: 'test' } as unknown as NodeJS.ProcessEnv);

let db: Db;
let datasetId: number;

beforeEach(async () => {
  ({ db } = tempDb());
  datasetId = (await importGptEdit(db, copySamples())).datasetId;
});
afterEach(cleanupTemp);

const sql = (text: string, ...params: unknown[]) =>
  db.$client
    .prepare(text)
    .pluck()
    .get(...params) as number;
/** item_size_counts as rows, without the zeros. */
const summary = () =>
  db.$client
    .prepare(
      `SELECT dataset_id, family, task, instruction_type, status, source_width, source_height, n FROM item_size_counts
       WHERE n != 0 ORDER BY 1, 2, 3, 4, 5, 6, 7`,
    )
    .all();
/** What it must hold: the items grouped (up to the watermark). */
const grouped = () =>
  db.$client
    .prepare(
      `SELECT dataset_id, family, task, instruction_type, status, source_width, source_height, count(*) AS n FROM items
       WHERE id <= (SELECT item_id FROM item_size_watermark) GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7`,
    )
    .all();
const estimate = (filter: Omit<BatchFilter, 'datasetId'> = {}, kind: 'judge' | 'regenerate' = 'judge') =>
  estimateBatch(db, config, { kind, filter: { datasetId, ...filter } });
const who = { holder: 'holder-123456', reviewer: 'tester' };

describe('item_size_counts', () => {
  it('counts the items imported since it was last read, then keeps up with status changes by its triggers', async () => {
    expect(sql('SELECT count(*) FROM item_size_counts')).toBe(0); // the importer does not count into it
    expect(refreshSizeCounts(db, datasetId)).toEqual({ counted: 12, recounted: false, behind: false });
    expect(summary()).toEqual(grouped());
    expect(refreshSizeCounts(db, datasetId)).toEqual({ counted: 0, recounted: false, behind: false });

    const ids = db.$client.prepare('SELECT id FROM items ORDER BY id LIMIT 3').pluck().all() as number[];
    recordVerdict(db, who, { itemId: ids[0], decision: 'accept' });
    recordVerdict(db, who, { itemId: ids[1], decision: 'reject', reasons: ['artifacts'] });
    expect(summary()).toEqual(grouped());
    expect(estimate({ status: 'accepted' }).items).toBe(1);
    expect(estimate({ status: 'pending' }).items).toBe(10);

    // A second import: counted at the next read, not by the import.
    const other = (await importGptEdit(db, copySamples(), { dataset: 'second' })).datasetId;
    expect(sql('SELECT item_id FROM item_size_watermark')).toBe(ids[0] + 11);
    expect(refreshSizeCounts(db, other)).toEqual({ counted: 12, recounted: false, behind: false });
    expect(summary()).toEqual(grouped());
  });

  it('prices from it: the estimate follows its sizes, not a scan of the items', () => {
    const before = estimate({}, 'judge');
    // Move every item of one size to another in the summary only (its totals per status stay item_counts').
    const row = db.$client.prepare('SELECT source_width AS w, source_height AS h FROM items ORDER BY id LIMIT 1').get() as {
      w: number;
      h: number;
    };
    db.$client
      .prepare('UPDATE item_size_counts SET source_width = 4096, source_height = 4096 WHERE source_width = ? AND source_height = ?')
      .run(row.w, row.h);
    const after = estimate({}, 'judge');
    expect(after.items).toBe(before.items);
    expect(after.estimatedUsd).toBeGreaterThan(before.estimatedUsd);
  });

  it('counts a dataset again when its rows disagree with item_counts (an item id used again after a delete)', () => {
    expect(estimate().items).toBe(12);
    const newest = sql('SELECT max(id) FROM items');
    const copy = db.$client.prepare('SELECT * FROM items WHERE id = ?').get(newest) as Record<string, unknown>;
    db.$client.pragma('foreign_keys = OFF');
    db.$client.prepare('DELETE FROM items WHERE id = ?').run(newest); // the delete trigger counts it out
    expect(summary()).toEqual(grouped());
    // The same id again, as an import would write it (counted into item_counts, not item_size_counts), another size.
    const columns = Object.keys(copy);
    db.$client
      .prepare(`INSERT INTO items (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
      .run(...columns.map((name) => (name === 'source_width' ? 4000 : name === 'external_id' ? 'reused-id' : copy[name])));
    db.$client
      .prepare(
        `INSERT INTO item_counts (dataset_id, family, task, instruction_type, status, n) VALUES (?, ?, ?, ?, ?, 1)
         ON CONFLICT DO UPDATE SET n = n + 1`,
      )
      .run(copy.dataset_id, copy.family, copy.task, copy.instruction_type, copy.status);
    expect(refreshSizeCounts(db, datasetId)).toEqual({ counted: 0, recounted: true, behind: false });
    expect(summary()).toEqual(grouped());
    expect(estimate().items).toBe(12);
  });

  it('catches up in short transactions, exactly, wherever it starts from', async () => {
    expect(await catchUpSizeCounts(db, { chunk: 5 })).toMatchObject({ counted: 12, transactions: 3 });
    expect(summary()).toEqual(grouped());
    const ids = db.$client.prepare('SELECT id FROM items ORDER BY id').pluck().all() as number[];
    recordVerdict(db, who, { itemId: ids[11], decision: 'accept' }); // counted by the trigger
    await importGptEdit(db, copySamples(), { dataset: 'second' });
    expect((await catchUpSizeCounts(db, { chunk: 7 })).transactions).toBe(2);
    expect(summary()).toEqual(grouped());
    expect(sql('SELECT item_id FROM item_size_watermark')).toBe(sql('SELECT max(id) FROM items'));
    expect(await catchUpSizeCounts(db)).toEqual({ counted: 0, transactions: 0, longestMs: 0 });
  });

  it('estimates exactly while a large backlog is counted in the background', async () => {
    expect(estimate().items).toBe(12);
    // An item far above the watermark: more ids to count than an estimate counts itself.
    const copy = db.$client.prepare('SELECT * FROM items ORDER BY id DESC LIMIT 1').get() as Record<string, unknown>;
    const columns = Object.keys(copy);
    const value = (name: string) => (name === 'id' ? Number(copy.id) + 100_000 : name === 'external_id' ? 'far' : copy[name]);
    db.$client
      .prepare(`INSERT INTO items (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
      .run(...columns.map(value));
    expect(refreshSizeCounts(db, datasetId)).toEqual({ counted: 0, recounted: false, behind: true });
    const watermark = sql('SELECT item_id FROM item_size_watermark');
    expect(estimate().items).toBe(13); // the item above the watermark grouped directly
    expect(estimate({ status: 'pending' }, 'regenerate').items).toBe(13);
    expect(sql('SELECT item_id FROM item_size_watermark')).toBe(watermark); // nothing counted inside the estimate
    await catchUpSizeCounts(db); // alongside the background one: each chunk starts from the watermark
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(summary()).toEqual(grouped());
    expect(sql('SELECT item_id FROM item_size_watermark')).toBe(Number(copy.id) + 100_000);
    expect(estimate().items).toBe(13);
  });

  it('answers as a scan of the matching items for every filter it can hold', () => {
    const ids = db.$client.prepare('SELECT id FROM items ORDER BY id').pluck().all() as number[];
    recordVerdict(db, who, { itemId: ids[0], decision: 'accept' });
    recordVerdict(db, who, { itemId: ids[5], decision: 'reject', reasons: ['artifacts'] });
    const families = db.$client.prepare('SELECT DISTINCT family, task FROM items').all() as { family: string; task: string }[];
    const filters: Omit<BatchFilter, 'datasetId'>[] = [
      {},
      { status: 'accepted' },
      { status: 'pending' },
      ...families.flatMap(({ family, task }) => [{ family }, { family, task }]),
      { instructionType: 'original' },
    ];
    for (const filter of filters) {
      for (const kind of ['judge', 'regenerate'] as const) {
        // The same filter with an ids term listing every item is answered by grouping the items.
        const scanned = estimate({ ...filter, ids }, kind);
        const counted = estimate(filter, kind);
        expect(counted.items, JSON.stringify(filter)).toBe(scanned.items);
        expect(counted.estimatedUsd, JSON.stringify(filter)).toBeCloseTo(scanned.estimatedUsd, 12);
      }
    }
  });
});
