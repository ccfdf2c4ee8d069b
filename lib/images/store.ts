import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '@/db';
import { ensureImageRoot } from '../datasets';
import { openInRootSync } from './open';

/** Loupe's own images (regenerations) live beside the database, named by their sha256. */
export function imageStoreDir(db: Db): string {
  return path.join(path.dirname(db.$client.name), 'images');
}

export interface StoredImage {
  rootId: number;
  path: string;
  sha256: string;
  /** The stored file's identity (`dev:ino`), recorded with the reference so serving can re-check it. */
  fileId: string;
}

/**
 * Writes an image into the content-addressed store (once: the same bytes are the same
 * file) and returns its (root, relative path) reference.
 */
export async function storeImage(db: Db, bytes: Buffer, extension = 'png'): Promise<StoredImage> {
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  const dir = imageStoreDir(db);
  const rel = `${sha256.slice(0, 2)}/${sha256}.${extension}`;
  const file = path.join(dir, rel);
  if (!fs.existsSync(file)) {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.${crypto.randomUUID()}.tmp`;
    await fs.promises.writeFile(temp, bytes);
    await fs.promises.rename(temp, file); // atomic: a reader never sees half an image
  }
  const opened = openInRootSync(dir, rel);
  fs.closeSync(opened.fd);
  return { rootId: ensureImageRoot(db, dir), path: rel, sha256, fileId: opened.fileId };
}
