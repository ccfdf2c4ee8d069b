import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { LoupeError } from '@/lib/errors';

export type Expected = 'accept' | 'reject';

/**
 * Marks a decided item as gold with its expected verdict (by default the decided one). It
 * stays decided; claims mix it into annotators' queues at the dataset's gold rate. `lead`
 * is the lead's user id (lib/auth/actors.ts).
 */
export function markGold(db: Db, itemId: number, lead: string, expected?: Expected): { itemId: number; expected: Expected } {
  const item = statement<[number], { status: string; dataset_id: number }>(db, 'SELECT status, dataset_id FROM items WHERE id = ?').get(
    itemId,
  );
  if (!item) throw new LoupeError('not_found', `item ${itemId} not found`);
  if (item.status !== 'accepted' && item.status !== 'rejected') {
    throw new LoupeError('conflict', `item ${itemId} is ${item.status}: only decided items can be gold`);
  }
  const answer = expected ?? (item.status === 'accepted' ? 'accept' : 'reject');
  statement(
    db,
    `INSERT INTO gold_items (item_id, dataset_id, expected, created_by) VALUES (?, ?, ?, ?)
     ON CONFLICT (item_id) DO UPDATE SET expected = excluded.expected, created_by = excluded.created_by`,
  ).run(itemId, item.dataset_id, answer, lead);
  return { itemId, expected: answer };
}

/** Takes an item out of the gold set; verdicts already given keep their expected answer. */
export function unmarkGold(db: Db, itemId: number): boolean {
  return statement(db, 'DELETE FROM gold_items WHERE item_id = ?').run(itemId).changes > 0;
}

export function goldOf(db: Db, itemId: number): Expected | undefined {
  return statement<[number], Expected>(db, 'SELECT expected FROM gold_items WHERE item_id = ?').pluck().get(itemId);
}

export interface ReviewSettings {
  overlap: number;
  goldRate: number;
  goldItems: number;
}

export function reviewSettings(db: Db, datasetId: number): ReviewSettings | undefined {
  return statement<[number], ReviewSettings>(
    db,
    `SELECT overlap, gold_rate AS goldRate, (SELECT count(*) FROM gold_items WHERE dataset_id = d.id) AS goldItems
     FROM datasets d WHERE id = ?`,
  ).get(datasetId);
}

/**
 * Sets a dataset's overlap (k verdicts per item) and gold rate. A new overlap applies to
 * items decided from now on; items already decided keep their status.
 */
export function setReviewSettings(db: Db, datasetId: number, settings: { overlap?: number; goldRate?: number }): ReviewSettings {
  const current = reviewSettings(db, datasetId);
  if (!current) throw new LoupeError('not_found', `dataset ${datasetId} not found`);
  statement(db, 'UPDATE datasets SET overlap = ?, gold_rate = ? WHERE id = ?').run(
    settings.overlap ?? current.overlap,
    settings.goldRate ?? current.goldRate,
    datasetId,
  );
  return reviewSettings(db, datasetId)!;
}
