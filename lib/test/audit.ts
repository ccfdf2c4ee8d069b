/**
 * Test helpers for audits: datasets with strata of chosen sizes (real PNG layouts imported
 * through the real importer), regenerated candidates, and reviewers' verdicts.
 */
import path from 'node:path';
import type { Db } from '@/db';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { claimItems } from '@/lib/review/queue';
import { recordVerdict } from '@/lib/review/verdicts';
import { gptEditRecord, tempDir, writeGptEditLayout } from '@/lib/test/factories';

/** Imports a layout with `sizes[family/task]` items per stratum; returns the dataset id. */
export async function stratifiedDataset(db: Db, sizes: Record<string, number>): Promise<number> {
  const root = path.join(tempDir('loupe-audit-'), 'gpt-edit');
  for (const [stratum, n] of Object.entries(sizes)) {
    const [family, task] = stratum.split('/');
    const records = Array.from({ length: n }, (_, i) => gptEditRecord(family, task, i + 1));
    await writeGptEditLayout(root, records, { family, task, inputSize: { width: 8, height: 6 }, outputSize: { width: 8, height: 6 } });
  }
  return (await importGptEdit(db, root)).datasetId;
}

/** Gives the item a regenerated candidate and makes it current; with `ownSource`, a pair regeneration. */
export function makeRegenerated(db: Db, itemId: number, ownSource = false): number {
  const id = Number(
    db.$client
      .prepare(
        `INSERT INTO candidates (item_id, origin, root_id, path, width, height, source_root_id, source_path, source_width, source_height)
         SELECT id, 'regenerated', source_root_id, 'regen/x.png', 1024, 768,
                CASE WHEN ? THEN source_root_id END, CASE WHEN ? THEN 'regen/src.png' END,
                CASE WHEN ? THEN 1024 END, CASE WHEN ? THEN 768 END
         FROM items WHERE id = ?`,
      )
      .run(ownSource ? 1 : 0, ownSource ? 1 : 0, ownSource ? 1 : 0, ownSource ? 1 : 0, itemId).lastInsertRowid,
  );
  db.$client.prepare('UPDATE items SET current_candidate_id = ? WHERE id = ?').run(id, itemId);
  return id;
}

/** Item ids of a stratum, in id order. */
export function idsOf(db: Db, datasetId: number, family: string, task: string): number[] {
  return db.$client
    .prepare('SELECT id FROM items WHERE dataset_id = ? AND family = ? AND task = ? ORDER BY id')
    .pluck()
    .all(datasetId, family, task) as number[];
}

/** A reviewer claims the items and decides each as a review page does. */
export function decideAll(db: Db, datasetId: number, itemIds: number[], decision: 'accept' | 'reject', reviewer = 'rita') {
  const who = { holder: `user-${reviewer}:tab`, reviewer };
  for (const itemId of itemIds) {
    const family = db.$client.prepare('SELECT family, task FROM items WHERE id = ?').get(itemId) as { family: string; task: string };
    const claimed = claimItems(db, { datasetId, family: family.family, task: family.task }, who, 50);
    if (!claimed.includes(itemId)) throw new Error(`item ${itemId} was not claimable`);
    recordVerdict(db, who, {
      itemId,
      decision,
      reasons: decision === 'reject' ? ['artifacts'] : undefined,
      comment: decision === 'reject' ? 'smeared edge' : undefined,
    });
  }
  // Give back whatever else the page still holds.
  db.$client
    .prepare('UPDATE items SET lease_holder = NULL, lease_reviewer = NULL, lease_expires_at = NULL WHERE lease_holder = ?')
    .run(who.holder);
}
