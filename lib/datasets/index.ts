import { asc, eq } from 'drizzle-orm';
import type { Db } from '@/db';
import { datasets, imageRoots, itemCounts } from '@/db/schema';

export function ensureDataset(db: Db, name: string): number {
  db.insert(datasets).values({ name }).onConflictDoNothing().run();
  return db.select({ id: datasets.id }).from(datasets).where(eq(datasets.name, name)).get()!.id;
}

/** Deletes a dataset (and its import runs) when it holds no items. */
export function removeDatasetIfEmpty(db: Db, id: number) {
  db.$client
    .transaction(() => {
      const hasItems = db.$client.prepare('SELECT 1 FROM items WHERE dataset_id = ? LIMIT 1').get(id);
      if (hasItems) return;
      db.$client.prepare('DELETE FROM item_counts WHERE dataset_id = ?').run(id);
      db.$client.prepare('DELETE FROM import_runs WHERE dataset_id = ?').run(id);
      db.$client.prepare('DELETE FROM datasets WHERE id = ?').run(id);
    })
    .immediate();
}

export function ensureImageRoot(db: Db, dir: string): number {
  db.insert(imageRoots).values({ path: dir }).onConflictDoNothing().run();
  return db.select({ id: imageRoots.id }).from(imageRoots).where(eq(imageRoots.path, dir)).get()!.id;
}

export function listDatasets(db: Db) {
  return db.select().from(datasets).orderBy(asc(datasets.name)).all();
}

export function getDatasetByName(db: Db, name: string) {
  return db.select().from(datasets).where(eq(datasets.name, name)).get();
}

export function getDataset(db: Db, id: number) {
  return db.select().from(datasets).where(eq(datasets.id, id)).get();
}

export interface CountRow {
  family: string;
  task: string;
  instructionType: string;
  status: string;
  n: number;
}

/** Item counts of a dataset by family, task, instruction type and status (from item_counts). */
export function datasetCounts(db: Db, datasetId: number): CountRow[] {
  return db
    .select({
      family: itemCounts.family,
      task: itemCounts.task,
      instructionType: itemCounts.instructionType,
      status: itemCounts.status,
      n: itemCounts.n,
    })
    .from(itemCounts)
    .where(eq(itemCounts.datasetId, datasetId))
    .all()
    .filter((row) => row.n > 0);
}
