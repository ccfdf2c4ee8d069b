import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { checkRelativePath, resolveInRoot } from './paths';

export type ImageKind = 'source' | 'candidate' | 'candidate-source' | 'mask';
export type ImageSize = 'preview' | 'full';

/** Long side of review previews: sharp on a 1440p screen at two panes, small to send. */
export const PREVIEW_MAX = 1600;

const CONTENT_TYPES: Record<string, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  tiff: 'image/tiff',
  bmp: 'image/bmp',
};

/** The file behind an item's source image, a candidate or an item's mask, by id only (never a client path). */
export function imageFile(db: Db, kind: ImageKind, id: number): string | undefined {
  if (kind === 'mask') return maskFile(db, id);
  const sql = {
    source: 'SELECT r.path AS root, i.source_path AS rel FROM items i JOIN image_roots r ON r.id = i.source_root_id WHERE i.id = ?',
    candidate: 'SELECT r.path AS root, c.path AS rel FROM candidates c JOIN image_roots r ON r.id = c.root_id WHERE c.id = ?',
    // A pair regeneration's own source image.
    'candidate-source':
      'SELECT r.path AS root, c.source_path AS rel FROM candidates c JOIN image_roots r ON r.id = c.source_root_id WHERE c.id = ?',
  }[kind];
  const row = statement<[number], { root: string; rel: string }>(db, sql).get(id);
  return row ? resolveInRoot(row.root, row.rel) : undefined;
}

/**
 * An item's mask (UltraEdit), recorded by the import in its metadata as {rootId, path}.
 * The metadata is data: its path is checked like any imported path, and a bad one is no mask.
 */
function maskFile(db: Db, itemId: number): string | undefined {
  const metadata = statement<[number], string>(db, 'SELECT metadata FROM items WHERE id = ?').pluck().get(itemId);
  let mask: { rootId?: unknown; path?: unknown } | undefined;
  try {
    mask = metadata ? JSON.parse(metadata).mask : undefined;
  } catch {
    return undefined;
  }
  if (!mask || !Number.isInteger(mask.rootId)) return undefined;
  const root = statement<[number], string>(db, 'SELECT path FROM image_roots WHERE id = ?').pluck().get(mask.rootId as number);
  const checked = checkRelativePath(mask.path);
  if (!root || !checked.ok) return undefined;
  try {
    return resolveInRoot(root, checked.path);
  } catch {
    return undefined;
  }
}

export interface ServedImage {
  etag: string;
  contentType: string;
  /** A file to stream. */
  file: string;
  bytes: number;
}

/**
 * The full file or a cached WebP preview of it. The ETag derives from the file's path,
 * size and mtime, so a changed file gets a new tag and a new preview.
 */
export async function serveImage(file: string, size: ImageSize, cacheDir: string): Promise<ServedImage> {
  const stat = await fs.promises.stat(file);
  const key = crypto.createHash('sha1').update(`${file}\0${stat.size}\0${stat.mtimeMs}\0${size}\0${PREVIEW_MAX}`).digest('hex');
  const etag = `"${key}"`;
  if (size === 'full') {
    const ext = path.extname(file).slice(1).toLowerCase();
    const contentType = CONTENT_TYPES[ext] ?? CONTENT_TYPES[(await sharp(file).metadata()).format ?? ''] ?? 'application/octet-stream';
    return { etag, contentType, file, bytes: stat.size };
  }
  const preview = path.join(cacheDir, key.slice(0, 2), `${key}.webp`);
  let previewStat = await fs.promises.stat(preview).catch(() => undefined);
  if (!previewStat) {
    await fs.promises.mkdir(path.dirname(preview), { recursive: true });
    const temp = `${preview}.${process.pid}.${crypto.randomUUID()}.tmp`;
    await sharp(file)
      .rotate() // honour EXIF orientation, as the browser would for the full file
      .resize({ width: PREVIEW_MAX, height: PREVIEW_MAX, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 86 })
      .toFile(temp);
    await fs.promises.rename(temp, preview); // atomic: a concurrent reader never sees half a file
    previewStat = await fs.promises.stat(preview);
  }
  return { etag, contentType: 'image/webp', file: preview, bytes: previewStat.size };
}
