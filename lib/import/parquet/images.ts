import { bufferSource, checkImage } from '../../images/check';
import type { Db } from '@/db';
import type { ImageInfo } from '../../images/probe';
import { storeImage } from '../../images/store';

/** An embedded image written to the content-addressed store. */
export interface EmbeddedImage {
  rootId: number;
  /** Path in the store, relative to its root: <sha[0:2]>/<sha256>.<ext>. */
  path: string;
  sha256: string;
  info: ImageInfo;
  /** The `path` the Hugging Face struct carried (often the original file name), or null. */
  originalPath: string | null;
}

/**
 * Width, height and format of an embedded image, checked as an imported file is (its real
 * type, its structure, the pixel limit); throws the reason when it is refused.
 */
export function probeBuffer(bytes: Uint8Array): ImageInfo {
  return checkImage(bufferSource(bytes));
}

/**
 * Whether a cell holds no image at all: null, the string 'null' (how some UltraEdit shards
 * spell a missing mask), or a Hugging Face struct with neither bytes nor a path.
 */
export function isNoImage(value: unknown): boolean {
  if (value === null || value === undefined || value === 'null' || value === '') return true;
  if (typeof value !== 'object') return false;
  const { bytes, path } = value as { bytes?: unknown; path?: unknown };
  return (bytes === null || bytes === undefined) && (path === null || path === undefined || path === '' || path === 'null');
}

/** The bytes of a Hugging Face Image cell ({bytes, path} struct, or raw bytes), or why there are none. */
export function embeddedBytes(value: unknown): { bytes: Uint8Array; path: string | null } | { error: string } {
  if (value instanceof Uint8Array) return { bytes: value, path: null };
  if (value === null || value === undefined) return { error: 'no image' };
  if (typeof value !== 'object') return { error: `not an image struct (${typeof value})` };
  const { bytes, path } = value as { bytes?: unknown; path?: unknown };
  const name = typeof path === 'string' && path !== '' ? path : null;
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    return { error: name ? `no embedded image bytes (path ${name})` : 'no embedded image bytes' };
  }
  return { bytes, path: name };
}

/** An embedded image whose bytes are known to be an image. */
export interface CheckedImage {
  bytes: Uint8Array;
  info: ImageInfo;
  originalPath: string | null;
}

/** Checks an embedded image cell; throws a short reason when it holds no usable image. */
export function checkEmbeddedImage(value: unknown): CheckedImage {
  const cell = embeddedBytes(value);
  if ('error' in cell) throw new Error(cell.error);
  return { bytes: cell.bytes, info: probeBuffer(cell.bytes), originalPath: cell.path };
}

/** Writes a checked image to the store once (same bytes, same file). */
export async function storeCheckedImage(db: Db, image: CheckedImage): Promise<EmbeddedImage> {
  const { bytes, info, originalPath } = image;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stored = await storeImage(db, buffer, info.format); // checkImage names JPEG 'jpg', the extension
  return { ...stored, info: { ...info, fileId: stored.fileId }, originalPath };
}
