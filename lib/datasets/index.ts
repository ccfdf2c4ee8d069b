import { asc, eq } from 'drizzle-orm';
import type { Db } from '@/db';
import { datasets, imageRoots, itemCounts } from '@/db/schema';

export function ensureDataset(db: Db, name: string): number {
  db.insert(datasets).values({ name }).onConflictDoNothing().run();
  return db.select({ id: datasets.id }).from(datasets).where(eq(datasets.name, name)).get()!.id;
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
