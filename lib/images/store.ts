import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '@/db';
import { ensureImageRoot } from '../datasets';
import { openInRootSync, type FolderCache } from './open';

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
  const dir = imageStoreDir(db);
  const stored = await writeStoreFile(dir, bytes, extension);
  return { rootId: ensureImageRoot(db, dir), ...stored };
}

/**
 * storeImage's file half, for a bulk writer that looks the store's root row up once (the
 * tarball import: a root lookup per image cost more than the write). With a FolderCache
 * the store's folders are resolved once per import (lib/images/open.ts, import mode).
 */
export async function writeStoreFile(
  dir: string,
  bytes: Buffer,
  extension = 'png',
  folders?: FolderCache,
  sha256 = crypto.createHash('sha256').update(bytes).digest('hex'),
): Promise<Omit<StoredImage, 'rootId'>> {
  const rel = `${sha256.slice(0, 2)}/${sha256}.${extension}`;
  const file = path.join(dir, rel);
  if (!fs.existsSync(file)) {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.${crypto.randomUUID()}.tmp`;
    await fs.promises.writeFile(temp, bytes);
    await fs.promises.rename(temp, file); // atomic: a reader never sees half an image
  }
  const opened = openInRootSync(dir, rel, undefined, folders);
  fs.closeSync(opened.fd);
  return { path: rel, sha256, fileId: opened.fileId };
}
