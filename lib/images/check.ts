import zlib from 'node:zlib';
import { imageSize } from 'image-size';

/**
 * Cheap checks that an image is one Loupe accepts and is whole, from a bounded head and
 * tail of its bytes (never the whole file): the real type from its magic bytes (never its
 * name), the structure of that type, and a pixel limit. Shared by the importer (files and
 * embedded parquet images), the image routes and the adversarial corpus tests.
 */

/** Random access to an image's bytes: a file by positioned reads, or a buffer. */
export interface ByteSource {
  size: number;
  /** Up to `length` bytes from `position` (fewer at the end). */
  read(position: number, length: number): Buffer;
}

/** What the importer learns about an accepted image. `format` names the type as image-size does. */
export interface CheckedImageInfo {
  width: number;
  height: number;
  format: AcceptedFormat;
}

export type AcceptedFormat = 'png' | 'jpg' | 'webp' | 'gif';

export const CONTENT_TYPES: Record<AcceptedFormat, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
};

/** Enough for the headers of every accepted type (a JPEG's size marker may sit further: walked to). */
export const HEAD_BYTES = 4096;
/** Enough for the end of every accepted type (a PNG's IEND chunk is the longest, 12 bytes). */
const TAIL_BYTES = 16;
/** A JPEG's size marker must come within this many segments (EXIF, ICC, XMP... are a handful). */
const MAX_JPEG_SEGMENTS = 1024;

/**
 * Default pixel limit: 100 megapixels. The largest images in the real data are a few
 * megapixels (GPT-Image-Edit up to 1536x1536, HQ-Edit and 8K photos about 33 MP), so this
 * refuses nothing real while bounding a decode to ~400 MB of RGBA; sharp's own default
 * (268 MP, 16383x16383) would allow a 1 GB decode per preview.
 */
export const DEFAULT_MAX_IMAGE_PIXELS = 100_000_000;

/** The pixel limit: LOUPE_MAX_IMAGE_PIXELS when it is a positive integer, else the default. */
export function maxImagePixels(): number {
  const configured = Number(process.env.LOUPE_MAX_IMAGE_PIXELS);
  return Number.isSafeInteger(configured) && configured > 0 ? configured : DEFAULT_MAX_IMAGE_PIXELS;
}

/** An image refused with a short, user-facing reason. */
export class ImageRefused extends Error {}

const refuse = (reason: string): never => {
  throw new ImageRefused(reason);
};

/** A buffer as a byte source (embedded parquet images, downloads, tests). */
export function bufferSource(bytes: Uint8Array): ByteSource {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { size: buffer.length, read: (position, length) => buffer.subarray(position, position + length) };
}

/**
 * Checks an image; returns its size and type, or throws ImageRefused with the reason.
 * Reads the first HEAD_BYTES, the last TAIL_BYTES, and (for a JPEG with large metadata)
 * one small read per segment header up to its size marker.
 */
export function checkImage(source: ByteSource, maxPixels = maxImagePixels()): CheckedImageInfo {
  if (source.size === 0) refuse('empty file');
  const head = source.read(0, Math.min(HEAD_BYTES, source.size));
  const format = sniffImageType(head);
  // A small file is all in its head: no second read.
  const tail =
    head.length === source.size
      ? head.subarray(Math.max(0, head.length - TAIL_BYTES))
      : source.read(Math.max(0, source.size - TAIL_BYTES), Math.min(TAIL_BYTES, source.size));
  const { width, height } = STRUCTURE[format](source, head, tail);
  if (!(width > 0 && height > 0)) refuse(`${NAMES[format]} has no width or height in its header`);
  if (width * height > maxPixels) {
    refuse(`image is ${width}x${height}, over the ${formatMegapixels(maxPixels)} limit`);
  }
  return { width, height, format };
}

const NAMES: Record<AcceptedFormat, string> = { png: 'PNG', jpg: 'JPEG', webp: 'WebP', gif: 'GIF' };
const ACCEPTED = 'PNG, JPEG, WebP or GIF';

function formatMegapixels(pixels: number): string {
  return pixels % 1_000_000 === 0 ? `${pixels / 1_000_000}-megapixel` : `${pixels.toLocaleString('en-US')}-pixel`;
}

const startsWith = (head: Buffer, bytes: number[], at = 0) => bytes.every((b, i) => head[at + i] === b);
const ascii = (head: Buffer, at: number, length: number) => head.toString('latin1', at, at + length);

/** The accepted type the magic bytes name; anything else is refused, naming what it is when known. */
export function sniffImageType(head: Buffer): AcceptedFormat {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpg';
  if (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a') return 'gif';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP') return 'webp';
  return refuse(unacceptedReason(head));
}

function unacceptedReason(head: Buffer): string {
  const other = (name: string) => `${name} is not an accepted image type (${ACCEPTED})`;
  if (ascii(head, 0, 2) === 'BM') return other('BMP');
  if (ascii(head, 0, 4) === 'II*\0' || ascii(head, 0, 4) === 'MM\0*') return other('TIFF');
  if (ascii(head, 4, 4) === 'ftyp') {
    const brand = ascii(head, 8, 4);
    if (brand.startsWith('avi')) return other('AVIF');
    if (/^(heic|heix|mif1|msf1)$/.test(brand)) return other('HEIC');
    return 'a video or ISO media file is not an image';
  }
  if (ascii(head, 0, 5) === '%PDF-') return other('PDF');
  // Markup (with any byte-order mark, whitespace or comments first): SVG can carry scripts.
  const text = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (text.startsWith('<')) {
    if (text.includes('<svg')) return 'SVG is not an accepted image type';
    if (text.includes('<html') || text.startsWith('<!doctype html')) return 'HTML is not an image';
    return 'XML is not an image';
  }
  return 'not a decodable image';
}

type Structure = (source: ByteSource, head: Buffer, tail: Buffer) => { width: number; height: number };

/** Bytes at `position`: from the head when it holds them, else one positioned read. */
function bytesAt(source: ByteSource, head: Buffer, position: number, length: number): Buffer {
  return position + length <= head.length ? head.subarray(position, position + length) : source.read(position, length);
}

const PNG_IEND = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

/**
 * PNG: IHDR first (13 bytes, a valid CRC), then a walk over the chunk headers that fit in
 * the head (each a 4-letter type whose data ends inside the file), and the file ends with
 * the IEND chunk, nothing after it.
 */
const checkPng: Structure = (source, head, tail) => {
  if (head.length < 33 || head.readUInt32BE(8) !== 13 || ascii(head, 12, 4) !== 'IHDR') refuse('PNG without an IHDR header chunk');
  if (zlib.crc32(head.subarray(12, 29)) !== head.readUInt32BE(29)) refuse('PNG header chunk (IHDR) is corrupt (bad CRC)');
  const width = head.readUInt32BE(16);
  const height = head.readUInt32BE(20);
  let position = 8;
  while (position + 8 <= head.length) {
    const length = head.readUInt32BE(position);
    const type = ascii(head, position + 4, 4);
    if (!/^[A-Za-z]{4}$/.test(type) || length > 0x7fffffff) refuse(`PNG chunk at byte ${position} is corrupt`);
    const end = position + 12 + length;
    if (end > source.size) refuse(`truncated PNG (its ${type} chunk runs past the end of the file)`);
    if (type === 'IEND') {
      if (end !== source.size) refuse('PNG has data after its IEND chunk');
      break;
    }
    position = end;
  }
  if (!(tail.length >= 12 && tail.subarray(tail.length - 12).equals(PNG_IEND))) refuse('truncated PNG (no IEND chunk at the end)');
  return { width, height };
};

// Start-of-frame markers carry the size: C0-CF but DHT (C4), JPG (C8) and DAC (CC).
const JPEG_SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/**
 * JPEG: a segment walk from SOI to the start-of-frame marker (its size), reading only the
 * segment headers, and the file ends with the end-of-image marker FF D9. No trailing bytes
 * are allowed after it: a zero-filled tail is also what an interrupted, preallocated copy
 * leaves behind, and a refused record is reported, never silently lost.
 */
const checkJpeg: Structure = (source, head, tail) => {
  let position = 2;
  let size: { width: number; height: number } | undefined;
  for (let segments = 0; !size; segments++) {
    if (segments > MAX_JPEG_SEGMENTS) refuse(`JPEG has no size marker in its first ${MAX_JPEG_SEGMENTS} segments`);
    const header = bytesAt(source, head, position, 9);
    if (header.length < 4) refuse('truncated JPEG (its header ends early)');
    if (header[0] !== 0xff) refuse(`JPEG segment at byte ${position} is corrupt`);
    const marker = header[1];
    if (marker === 0xff) {
      position++; // fill byte
      continue;
    }
    if (marker === 0xda || marker === 0xd9) refuse('JPEG has no size marker (SOF) before its image data');
    if ((marker >= 0xd0 && marker <= 0xd8) || marker === 0x01) {
      position += 2; // markers without a length
      continue;
    }
    if (JPEG_SOF.has(marker)) {
      if (header.length < 9) refuse('truncated JPEG (its header ends early)');
      size = { height: header.readUInt16BE(5), width: header.readUInt16BE(7) };
      break;
    }
    const length = header.readUInt16BE(2);
    if (length < 2) refuse(`JPEG segment at byte ${position} is corrupt`);
    position += 2 + length;
    if (position >= source.size) refuse('truncated JPEG (its header ends early)');
  }
  if (!(tail.length >= 2 && tail[tail.length - 2] === 0xff && tail[tail.length - 1] === 0xd9)) {
    refuse('truncated JPEG (no end-of-image marker)');
  }
  return size;
};

/** WebP: the RIFF size matches the file size exactly; the size from its VP8/VP8L/VP8X header. */
const checkWebp: Structure = (source, head) => {
  if (head.length < 30) refuse('truncated WebP (its header ends early)');
  const declared = head.readUInt32LE(4) + 8;
  if (declared > source.size) refuse(`truncated WebP (its RIFF header says ${declared} bytes, the file has ${source.size})`);
  if (declared < source.size) refuse(`WebP RIFF size (${declared} bytes) does not match the file (${source.size} bytes)`);
  const chunk = ascii(head, 12, 4);
  if (!['VP8 ', 'VP8L', 'VP8X'].includes(chunk)) refuse(`WebP with an unknown first chunk (${JSON.stringify(chunk)})`);
  try {
    const { width, height } = imageSize(head);
    return { width: width ?? 0, height: height ?? 0 };
  } catch {
    return refuse('WebP header is corrupt');
  }
};

/** GIF: the logical screen size, and the file ends with the trailer byte 3B. */
const checkGif: Structure = (_source, head, tail) => {
  if (head.length < 13) refuse('truncated GIF (its header ends early)');
  if (tail[tail.length - 1] !== 0x3b) refuse('truncated GIF (no trailer at the end)');
  return { width: head.readUInt16LE(6), height: head.readUInt16LE(8) };
};

const STRUCTURE: Record<AcceptedFormat, Structure> = { png: checkPng, jpg: checkJpeg, webp: checkWebp, gif: checkGif };
