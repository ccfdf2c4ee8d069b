import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { CONTENT_TYPES, HEAD_BYTES, ImageRefused, maxImagePixels, sniffImageType } from './check';
import { checkedImagePath, FileRefused, openInRoot } from './open';
import { checkRelativePath } from './paths';

export type ImageKind = 'source' | 'candidate' | 'candidate-source' | 'mask';
export type ImageSize = 'preview' | 'full';

/** Long side of review previews: sharp on a 1440p screen at two panes, small to send. */
export const PREVIEW_MAX = 1600;

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
 * The metadata is data: its path is checked like any imported path, and a bad one is no mask.
 */
function maskRef(db: Db, itemId: number): ImageRef | undefined {
  const metadata = statement<[number], string>(db, 'SELECT metadata FROM items WHERE id = ?').pluck().get(itemId);
  let mask: { rootId?: unknown; path?: unknown; fileId?: unknown } | undefined;
  try {
    mask = metadata ? JSON.parse(metadata).mask : undefined;
  } catch {
    return undefined;
  }
  if (!mask || !Number.isInteger(mask.rootId)) return undefined;
  const root = statement<[number], string>(db, 'SELECT path FROM image_roots WHERE id = ?').pluck().get(mask.rootId as number);
  const checked = checkRelativePath(mask.path);
  if (!root || !checked.ok) return undefined;
  return { root, path: checked.path, fileId: typeof mask.fileId === 'string' ? mask.fileId : null };
}

/**
 * The real path of a recorded image for server-side work (jobs, signals), once it is
 * checked to be inside its root and the file recorded; undefined when it is missing,
 * leads elsewhere or was swapped since import.
 */
export function imageFile(db: Db, kind: ImageKind, id: number): string | undefined {
  const ref = imageRef(db, kind, id);
  if (!ref) return undefined;
  try {
    return checkedImagePath(ref.root, ref.path, ref.fileId);
  } catch (error) {
    if (error instanceof FileRefused) return undefined;
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
}

/**
 * The full file or a cached WebP preview of it. The original is opened once, inside its
 * root and checked to be the file recorded at import, and everything served comes from
 * that open file, so a file swapped for a link after the check is never read. The ETag
 * derives from the file's identity, size and mtime, so a changed file gets a new tag and
 * a new preview.
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
    const key = crypto
      .createHash('sha1')
      .update(`${opened.real}\0${fileId}\0${stats.size}\0${stats.mtimeNs}\0${size}\0${PREVIEW_MAX}`)
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
      return { etag, contentType, handle, bytes: Number(stats.size) };
    }
    const preview = path.join(cacheDir, key.slice(0, 2), `${key}.webp`);
    if (!fs.existsSync(preview)) await writePreview(handle, preview);
    await handle.close();
    const previewHandle = await fs.promises.open(preview, 'r');
    return { etag, contentType: 'image/webp', handle: previewHandle, bytes: (await previewHandle.stat()).size };
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
}

/** Decodes the open original (at most the pixel limit) into a WebP preview, written atomically. */
async function writePreview(handle: fs.promises.FileHandle, preview: string) {
  await fs.promises.mkdir(path.dirname(preview), { recursive: true });
  const temp = `${preview}.${process.pid}.${crypto.randomUUID()}.tmp`;
  const transformer = sharp({ limitInputPixels: maxImagePixels() })
    .rotate() // honour EXIF orientation, as the browser would for the full file
    .resize({ width: PREVIEW_MAX, height: PREVIEW_MAX, fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 86 });
  const input = handle.createReadStream({ start: 0, autoClose: false });
  input.on('error', (error) => transformer.destroy(error));
  input.pipe(transformer);
  try {
    await transformer.toFile(temp);
  } catch (error) {
    await fs.promises.rm(temp, { force: true });
    // An image imported before the pixel limit (or under a larger one): never decoded.
    if (/pixel limit/i.test((error as Error).message)) {
      throw new ImageUnavailable(`image is over the ${maxImagePixels().toLocaleString('en-US')}-pixel limit`);
    }
    throw error;
  } finally {
    input.destroy(); // the caller closes the handle
  }
  await fs.promises.rename(temp, preview); // atomic: a concurrent reader never sees half a file
}
