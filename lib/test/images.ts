/**
 * Hostile and broken image files for tests and the adversarial corpus, each made from real
 * encoder output (sharp) or built byte by byte where no encoder would write it.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import sharp from 'sharp';

/** A real JPEG of a real sample image, cut short (no end-of-image marker). */
export async function truncatedJpeg(from: string | Buffer): Promise<Buffer> {
  const jpeg = await sharp(from).jpeg({ quality: 90 }).toBuffer();
  return jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
}

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A decompression bomb: a well-formed PNG (valid CRCs, IDAT, IEND) whose header says
 * width x height, with one deflated row of zeros: a few hundred bytes on disk.
 */
export function bombPng(width = 30_000, height = 30_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, deflate, no filter, no interlace
  const idat = zlib.deflateSync(Buffer.alloc(width + 1));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** An SVG document with a script (meant to be saved under a .png name). */
export const SVG_WITH_SCRIPT = Buffer.from(
  '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48">' +
    '<script>fetch("/api/auth/get-session").then((r) => r.text()).then(alert)</script>' +
    '<rect width="64" height="48" fill="red"/></svg>\n',
);

/** A real WebP whose RIFF header claims `extra` more bytes than the file has (a cut-off download). */
export async function webpWithWrongRiffSize(from: string | Buffer, extra = 1000): Promise<Buffer> {
  const webp = Buffer.from(await sharp(from).webp().toBuffer());
  webp.writeUInt32LE(webp.readUInt32LE(4) + extra, 4);
  return webp;
}

/** A real GIF with its trailer byte cut off. */
export async function gifWithoutTrailer(from: string | Buffer): Promise<Buffer> {
  const gif = await sharp(from).gif().toBuffer();
  return gif.subarray(0, gif.length - 1);
}

/**
 * A sparse file of `bytes` (1 GB by default) that takes no disk space: zeros, or `head`
 * followed by zeros. Reading it whole would take that much memory.
 */
export function writeSparseFile(file: string, bytes = 1024 ** 3, head?: Buffer) {
  const fd = fs.openSync(file, 'w');
  try {
    if (head) fs.writeSync(fd, head, 0, head.length, 0);
    fs.ftruncateSync(fd, bytes);
  } finally {
    fs.closeSync(fd);
  }
}
