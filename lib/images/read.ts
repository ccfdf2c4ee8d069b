import fs from 'node:fs';
import { bufferSource, checkImage, ImageRefused } from './check';
import { fdSource } from './open';

/**
 * Largest image file read whole to be decoded (previews, jobs). Real images are a few MB
 * (an 8K photo ~30 MB); a bigger file that passes the structural check is refused rather
 * than held in memory.
 */
export const MAX_DECODE_BYTES = 128 * 1024 * 1024;

/**
 * The bytes of an open image, for decoding: checked (real type, structure, pixel limit) on
 * the open file before a byte more is read, then read whole and checked again, so what is
 * decoded is exactly what was checked, even when the file is rewritten in place meanwhile
 * (same `dev:ino`, new content: an SVG or a decompression bomb). Throws ImageRefused.
 */
export async function readCheckedImage(handle: fs.promises.FileHandle): Promise<Buffer> {
  const size = Number((await handle.stat()).size);
  checkImage(fdSource(handle.fd, size));
  if (size > MAX_DECODE_BYTES) {
    throw new ImageRefused(`image file is ${Math.round(size / 2 ** 20)} MB, over the ${MAX_DECODE_BYTES / 2 ** 20} MB that is decoded`);
  }
  const bytes = Buffer.allocUnsafe(size);
  let filled = 0;
  while (filled < size) {
    const { bytesRead } = await handle.read(bytes, filled, size - filled, filled);
    if (bytesRead === 0) break; // shrunk meanwhile: the second check sees what is there
    filled += bytesRead;
  }
  const read = bytes.subarray(0, filled);
  checkImage(bufferSource(read));
  return read;
}
