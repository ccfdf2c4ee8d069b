import fs from 'node:fs';
import { imageSize } from 'image-size';

export interface ImageInfo {
  width: number;
  height: number;
  format: string;
}

// Enough for PNG, GIF, WebP and BMP headers and for JPEGs whose EXIF block is small.
const HEAD_BYTES = 4096;
const head = Buffer.alloc(HEAD_BYTES);

/**
 * Reads an image's header (not its pixels) to learn its size and format; synchronous
 * because the importer checks two images per record and a thread-pool round trip per
 * file costs ten times more than the read itself. Throws a short, user-facing reason
 * when the file is missing or is not an image.
 */
export function probeImage(file: string): ImageInfo {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? 'image file not found' : `cannot open image (${code})`);
  }
  try {
    const bytes = fs.readSync(fd, head, 0, HEAD_BYTES, 0);
    let info = tryImageSize(head.subarray(0, bytes));
    // A JPEG with a large EXIF block keeps its size marker further in: read the whole file.
    if (!info && bytes === HEAD_BYTES) info = tryImageSize(fs.readFileSync(file));
    if (!info) throw new Error('not a decodable image');
    return info;
  } finally {
    fs.closeSync(fd);
  }
}

function tryImageSize(buffer: Uint8Array): ImageInfo | undefined {
  try {
    const { width, height, type } = imageSize(buffer);
    if (!width || !height || !type) return undefined;
    return { width, height, format: type };
  } catch {
    return undefined;
  }
}
