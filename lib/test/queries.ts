/** Small SQL helpers for the parquet importer's tests. */
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '@/db';

export interface ItemRow {
  id: number;
  external_id: string;
  family: string;
  task: string;
  instruction_type: string;
  source_root_id: number;
  source_path: string;
  source_width: number;
  source_height: number;
  metadata: string;
  current_instruction_id: number;
  current_candidate_id: number;
}

export function items(db: Db): ItemRow[] {
  return db.$client.prepare('SELECT * FROM items ORDER BY id').all() as ItemRow[];
}

export function item(db: Db, externalId: string): ItemRow {
  const row = db.$client.prepare('SELECT * FROM items WHERE external_id = ?').get(externalId) as ItemRow | undefined;
  if (!row) throw new Error(`no item ${externalId}`);
  return row;
}

export function versions(db: Db, itemId: number) {
  return db.$client.prepare('SELECT id, kind, text FROM instruction_versions WHERE item_id = ? ORDER BY id').all(itemId) as {
    id: number;
    kind: string;
    text: string;
  }[];
}

export function candidate(db: Db, id: number) {
  return db.$client.prepare('SELECT * FROM candidates WHERE id = ?').get(id) as {
    item_id: number;
    origin: string;
    root_id: number;
    path: string;
    width: number;
    height: number;
  };
}

/** The file an image reference (root id, relative path) names. */
export function imageFile(db: Db, rootId: number, rel: string): string {
  const root = db.$client.prepare('SELECT path FROM image_roots WHERE id = ?').pluck().get(rootId) as string;
  return path.join(root, rel);
}

/** Every file in the database's image store, relative to it, with its inode and mtime. */
export function storeFiles(db: Db): Map<string, { ino: number; mtimeMs: number }> {
  const dir = path.join(path.dirname(db.$client.name), 'images');
  const files = new Map<string, { ino: number; mtimeMs: number }>();
  if (!fs.existsSync(dir)) return files;
  for (const rel of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const stat = fs.statSync(path.join(dir, rel));
    if (stat.isFile()) files.set(rel, { ino: stat.ino, mtimeMs: stat.mtimeMs });
  }
  return files;
}

export const count = (db: Db, table: string) => db.$client.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
