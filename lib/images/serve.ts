import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { isS3Url } from '../s3/url';
import { CONTENT_TYPES, HEAD_BYTES, ImageRefused, sniffImageType } from './check';
import { FileRefused, openInRoot } from './open';
import { PREVIEW_MAX, PREVIEW_SIDES, previewOf, type PreviewSize } from './preview';
import { readCheckedImage } from './read';
import { checkRelativePath } from './paths';
import { storedObjectBytes } from './s3-store';

export type ImageKind = 'source' | 'candidate' | 'candidate-source' | 'mask';
export type ImageSize = PreviewSize | 'full';

/** Where an image is recorded: its root, its path inside it, and its identity at import (null: not recorded). */
export interface ImageRef {
  root: string;
  path: string;
  fileId: string | null;
}

/** The recorded place of an item's source image, a candidate or an item's mask, by id only (never a client path). */
export function imageRef(db: Db, kind: ImageKind, id: number): ImageRef | undefined {
  if (kind === 'mask') return maskRef(db, id);
  const sql = {
    source:
      'SELECT r.path AS root, i.source_path AS path, i.source_file_id AS fileId FROM items i JOIN image_roots r ON r.id = i.source_root_id WHERE i.id = ?',
    candidate:
      'SELECT r.path AS root, c.path AS path, c.file_id AS fileId FROM candidates c JOIN image_roots r ON r.id = c.root_id WHERE c.id = ?',
    // A pair regeneration's own source image.
    'candidate-source':
      'SELECT r.path AS root, c.source_path AS path, c.source_file_id AS fileId FROM candidates c JOIN image_roots r ON r.id = c.source_root_id WHERE c.id = ?',
  }[kind];
  return statement<[number], ImageRef>(db, sql).get(id);
}

/**
 * An item's mask (UltraEdit), recorded by the import in its metadata as {rootId, path, fileId}.
 * The metadata is data (any layout, JSON Lines or CSV record can carry a `mask` field), so a
 * mask is taken only where the parquet importer puts it: under the item's own source root,
 * with the identity it recorded. Anything else is no mask, never a way to another image.
 */
function maskRef(db: Db, itemId: number): ImageRef | undefined {
  const item = statement<[number], { metadata: string; rootId: number; root: string }>(
    db,
    'SELECT i.metadata, i.source_root_id AS rootId, r.path AS root FROM items i JOIN image_roots r ON r.id = i.source_root_id WHERE i.id = ?',
  ).get(itemId);
  let mask: { rootId?: unknown; path?: unknown; fileId?: unknown } | undefined;
  try {
    mask = item ? JSON.parse(item.metadata).mask : undefined;
  } catch {
    return undefined;
  }
  if (!item || !mask || mask.rootId !== item.rootId || typeof mask.fileId !== 'string' || !/^\d+:\d+$/.test(mask.fileId)) return undefined;
  const checked = checkRelativePath(mask.path);
  if (!checked.ok) return undefined;
  return { root: item.root, path: checked.path, fileId: mask.fileId };
}

const FILE_ID_COLUMN: Record<Exclude<ImageKind, 'mask'>, string> = {
  source: 'UPDATE items SET source_file_id = ? WHERE id = ? AND source_file_id IS NULL',
  candidate: 'UPDATE candidates SET file_id = ? WHERE id = ? AND file_id IS NULL',
  'candidate-source': 'UPDATE candidates SET source_file_id = ? WHERE id = ? AND source_file_id IS NULL',
};

/**
 * Records the identity of an image imported before identities were (migration 0008), the
 * first time it is opened inside its root, so that from then on a swapped file is caught.
 * A mask always has one (maskRef).
 */
export function recordFileId(db: Db, kind: ImageKind, id: number, fileId: string) {
  if (kind !== 'mask') statement<[string, number]>(db, FILE_ID_COLUMN[kind]).run(fileId, id);
}

/**
 * The bytes of a recorded image for server-side work (jobs, signals): opened inside its
 * root as the file recorded, checked (type, structure, pixel limit) and read from that open
 * file, never reopened by path. Undefined when it is missing, leads elsewhere, was swapped
 * since import, or is refused by the checks.
 */
export async function imageBytes(db: Db, kind: ImageKind, id: number): Promise<Buffer | undefined> {
  const ref = imageRef(db, kind, id);
  if (!ref) return undefined;
  if (isS3Url(ref.root)) return objectBytes(ref);
  let opened;
  try {
    opened = await openInRoot(ref.root, ref.path, ref.fileId);
  } catch (error) {
    if (error instanceof FileRefused) return undefined;
    throw error;
  }
  try {
    if (ref.fileId === null) recordFileId(db, kind, id, opened.fileId);
    return await readCheckedImage(opened.handle);
  } catch (error) {
    if (error instanceof ImageRefused) return undefined;
    throw error;
  } finally {
    await opened.handle.close();
  }
}

/** imageBytes for an image in the S3 store: the recorded object only, checked as a file's bytes are. */
async function objectBytes(ref: ImageRef): Promise<Buffer | undefined> {
  try {
    return await storedObjectBytes(ref.root, ref.path, ref.fileId);
  } catch (error) {
    if (error instanceof FileRefused || error instanceof ImageRefused) return undefined;
    throw error;
  }
}

/** Why an image is not served: a short reason for a 404 (FileRefused or ImageRefused messages). */
export class ImageUnavailable extends Error {}

export interface ServedImage {
  etag: string;
  contentType: string;
  /** The open file to send (the verified original, or its cached preview); the caller closes it. */
  handle: fs.promises.FileHandle;
  bytes: number;
  /** The original's identity as opened (recorded by the caller when the import did not). */
  fileId: string;
}

/**
 * The full file or a cached WebP preview of it (the review's, or the grid's thumbnail). The
 * original is opened once, inside its root and checked to be the file recorded at import, and
 * everything served comes from that open file, so a file swapped for a link after the check is
 * never read. The ETag derives from the file's identity, size and mtime, so a changed file gets
 * a new tag and a new preview.
 */
export async function serveImage(ref: ImageRef, size: ImageSize, cacheDir: string): Promise<ServedImage> {
  let opened;
  try {
    opened = await openInRoot(ref.root, ref.path, ref.fileId);
  } catch (error) {
    if (error instanceof FileRefused) throw new ImageUnavailable(error.message);
    throw error;
  }
  const { handle, stats, fileId } = opened;
  try {
    // A size's long side is in its key, so a new side is a new file; `full` keeps the key (and ETag) it always had.
    const side = size === 'full' ? PREVIEW_MAX : PREVIEW_SIDES[size];
    const key = crypto
      .createHash('sha1')
      .update(`${opened.real}\0${fileId}\0${stats.size}\0${stats.mtimeNs}\0${size}\0${side}`)
      .digest('hex');
    const etag = `"${key}"`;
    if (size === 'full') {
      // The type from the file's own bytes, never its name: only accepted raster types are sent.
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(HEAD_BYTES), 0, HEAD_BYTES, 0);
      let contentType: string;
      try {
        contentType = CONTENT_TYPES[sniffImageType(buffer.subarray(0, bytesRead))];
      } catch (error) {
        if (error instanceof ImageRefused) throw new ImageUnavailable(error.message);
        throw error;
      }
      return { etag, contentType, handle, bytes: Number(stats.size), fileId };
    }
    const preview = path.join(cacheDir, key.slice(0, 2), `${key}.webp`);
    let previewHandle = await openPreview(preview);
    if (!previewHandle) {
      await writePreview(await checkedBytes(handle), preview, PREVIEW_SIDES[size]);
      // Evicted again between the write and the open: a second write, then a 500 if that fails too.
      previewHandle = (await openPreview(preview)) ?? (await fs.promises.open(preview, 'r'));
    }
    await handle.close();
    return { etag, contentType: 'image/webp', handle: previewHandle, bytes: (await previewHandle.stat()).size, fileId };
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
}

/** A cached preview, open, or undefined when it is not (or no longer) in the cache. */
async function openPreview(preview: string): Promise<fs.promises.FileHandle | undefined> {
  try {
    return await fs.promises.open(preview, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The original's bytes, checked before anything decodes them (see readCheckedImage). */
async function checkedBytes(handle: fs.promises.FileHandle): Promise<Buffer> {
  try {
    return await readCheckedImage(handle);
  } catch (error) {
    if (error instanceof ImageRefused) throw new ImageUnavailable(error.message);
    throw error;
  }
}

/**
 * The body of a served image: exactly the `bytes` its fstat counted, streamed from the open
 * file (which it closes at the end), so a file that grows meanwhile cannot overrun the
 * Content-Length; null for an empty file.
 */
export async function imageBody(image: ServedImage): Promise<ReadableStream | null> {
  if (image.bytes === 0) {
    await image.handle.close();
    return null;
  }
  return Readable.toWeb(image.handle.createReadStream({ start: 0, end: image.bytes - 1 })) as ReadableStream;
}

/** Decodes checked bytes (at most the pixel limit) into a WebP preview, written atomically. */
async function writePreview(bytes: Buffer, preview: string, max: number) {
  await fs.promises.mkdir(path.dirname(preview), { recursive: true });
  const temp = `${preview}.${process.pid}.${crypto.randomUUID()}.tmp`;
  try {
    await previewOf(bytes, max).toFile(temp);
  } catch (error) {
    await fs.promises.rm(temp, { force: true });
    throw error;
  }
  await fs.promises.rename(temp, preview); // atomic: a concurrent reader never sees half a file
}
