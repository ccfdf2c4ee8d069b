import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '@/db';
import { ensureImageRoot } from '../datasets';
import { formatS3Url, isS3Url, parseS3Url } from '../s3/url';
import { openInRootSync, type FolderCache } from './open';
import { putStoreObject } from './s3-store';
import { storeSetting } from './store-setting';

/**
 * The mode of a stored file: read-only, since its bytes are its name and an export may hard-link it
 * (`--images link`): a tool that rewrites an exported image in place must not rewrite the store's.
 */
export const STORED_MODE = 0o444;

/** Loupe's own images (regenerations) live beside the database, named by their sha256. */
export function imageStoreDir(db: Db): string {
  return path.join(path.dirname(db.$client.name), 'images');
}

/** The store's root as image_roots records it: the local folder, or `s3://bucket/prefix` with LOUPE_STORE set. */
export function imageStoreRoot(db: Db): string {
  const s3 = storeSetting();
  return s3 ? formatS3Url(s3) : imageStoreDir(db);
}

export interface StoredImage {
  rootId: number;
  path: string;
  sha256: string;
  /** The stored file's identity (`dev:ino`, or an object's `s3:<etag>:<size>`), recorded with the reference so serving can re-check it. */
  fileId: string;
}

/**
 * Writes an image into the content-addressed store (once: the same bytes are the same
 * file) and returns its (root, relative path) reference.
 */
export async function storeImage(db: Db, bytes: Buffer, extension = 'png'): Promise<StoredImage> {
  const s3 = storeSetting();
  if (s3) return { rootId: ensureImageRoot(db, formatS3Url(s3)), ...(await putStoreObject(s3, bytes, extension)) };
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  const dir = imageStoreDir(db);
  const rel = `${sha256.slice(0, 2)}/${sha256}.${extension}`;
  const file = path.join(dir, rel);
  if (!fs.existsSync(file)) {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.${crypto.randomUUID()}.tmp`;
    try {
      // Read-only (STORED_MODE): an export's hard link to it cannot be written through.
      await fs.promises.writeFile(temp, bytes, { mode: STORED_MODE });
      await fs.promises.rename(temp, file); // atomic: a reader never sees half an image
    } catch (error) {
      await fs.promises.rm(temp, { force: true }); // a full disk leaves no half-written file behind
      throw error;
    }
  }
  const opened = openInRootSync(dir, rel);
  fs.closeSync(opened.fd);
  return { rootId: ensureImageRoot(db, dir), path: rel, sha256, fileId: opened.fileId };
}

/**
 * storeImage for a bulk writer (the tarball import): synchronous (for small images the
 * thread-pool round trips of the async writes cost more than the writes: bench:tarball),
 * with the store's root row looked up once by the caller rather than per image, and the
 * store's folders resolved once per import (a FolderCache: lib/images/open.ts, import mode).
 * The same file, named the same way, written the same way (a temporary file, renamed).
 */
export function writeStoreFileSync(dir: string, bytes: Buffer, extension: string, folders?: FolderCache): Omit<StoredImage, 'rootId'> {
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  const rel = `${sha256.slice(0, 2)}/${sha256}.${extension}`;
  const file = path.join(dir, rel);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.${crypto.randomUUID()}.tmp`;
    try {
      fs.writeFileSync(temp, bytes, { mode: STORED_MODE });
      fs.renameSync(temp, file);
    } catch (error) {
      fs.rmSync(temp, { force: true }); // a full disk leaves no half-written file behind
      throw error;
    }
  }
  const opened = openInRootSync(dir, rel, undefined, folders);
  fs.closeSync(opened.fd);
  return { path: rel, sha256, fileId: opened.fileId };
}

/**
 * The bulk writer's store write (the tarball import): writeStoreFileSync into the local folder,
 * or the bucket's put when `root` is an `s3://` store.
 */
export async function writeStoreFile(
  root: string,
  bytes: Buffer,
  extension: string,
  folders?: FolderCache,
): Promise<Omit<StoredImage, 'rootId'>> {
  return isS3Url(root) ? putStoreObject(parseS3Url(root), bytes, extension) : writeStoreFileSync(root, bytes, extension, folders);
}
