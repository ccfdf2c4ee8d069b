import sharp from 'sharp';
import { maxImagePixels } from '../images/check';

/** An image decoded to 8-bit sRGB, 3 channels, alpha flattened onto white (as the regeneration recipe sees it). */
export interface Rgb {
  data: Buffer;
  width: number;
  height: number;
}

/** A one-channel image of luma values (0-255, Rec. 601 weights). */
export interface Luma {
  data: Float64Array;
  width: number;
  height: number;
}

const WHITE = { r: 255, g: 255, b: 255 };

/**
 * Long side of the images the edit magnitude is measured on. Signals version 2 (lib/signals/store.ts):
 * 128 px, area-averaged in one pass over the decoded pixels (version 1: 256 px, a libvips Lanczos
 * resize, then luma); at a quarter of the pixels, SSIM, the changed fraction and pHash cost a
 * fraction of a millisecond and the pair costs little more than its decode.
 */
export const COMPARE_LONG_SIDE = 128;

/** Decodes an image file (or encoded buffer) once, turned as a viewer sees it (EXIF orientation). */
export async function decodeRgb(input: string | Buffer): Promise<Rgb> {
  const { data, info } = await sharp(input, { autoOrient: true, limitInputPixels: maxImagePixels() })
    .flatten({ background: WHITE })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels after decoding, got ${info.channels}`);
  return { data, width: info.width, height: info.height };
}

/** The size an image is compared at: its aspect, `longSide` on the long side, never enlarged. */
export function compareSize(width: number, height: number, longSide = COMPARE_LONG_SIDE): { width: number; height: number } {
  const scale = Math.min(1, longSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * The image's luma resized (stretched if its aspect differs) to exactly `size`, by averaging.
 * Shrinking (the usual case) takes two steps: blocks of kx x ky pixels (the largest whole factors
 * that keep at least `size`) summed in one pass over the decoded bytes, integer sums of R, G and B,
 * luma taken of each block's sums (it is linear, so that is the mean of the pixels' luma); then,
 * where the blocks do not already give `size`, the small result area-averaged to it. The last
 * columns and rows that fill no whole block (fewer than kx, ky) are left out. A sharp resize costs
 * more than the pass: its call alone, ~0.8 ms for a 512 px image, is twice the pass.
 */
export function lumaAt(rgb: Rgb, size: { width: number; height: number }): Luma {
  const { width, height } = size;
  if (width > rgb.width || height > rgb.height) {
    // Enlarging on an axis (an edit smaller than the comparison size): rare, so the general resampler.
    return resizeArea({ data: toLuma(rgb.data, rgb.width * rgb.height), width: rgb.width, height: rgb.height }, width, height);
  }
  const kx = Math.floor(rgb.width / width);
  const ky = Math.floor(rgb.height / height);
  const shrunk = packedBlocks(rgb, kx, ky) ?? blockLuma(rgb, kx, ky);
  return shrunk.width === width && shrunk.height === height ? shrunk : resizeArea(shrunk, width, height);
}

/** Mean luma of each whole kx x ky block, a byte at a time. */
export function blockLuma(rgb: Rgb, kx: number, ky: number): Luma {
  const bw = Math.floor(rgb.width / kx);
  const bh = Math.floor(rgb.height / ky);
  const src = rgb.data;
  const stride = rgb.width * 3;
  const blocks = new Float64Array(bw * bh);
  const scale = 1 / (kx * ky);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      let r = 0,
        g = 0,
        b = 0;
      for (let y = by * ky, end = y + ky; y < end; y++) {
        for (let k = 0, i = y * stride + bx * kx * 3; k < kx; k++, i += 3) {
          r += src[i];
          g += src[i + 1];
          b += src[i + 2];
        }
      }
      blocks[by * bw + bx] = (0.299 * r + 0.587 * g + 0.114 * b) * scale;
    }
  }
  return { data: blocks, width: bw, height: bh };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const LANES = 0x00ff00ff;

/**
 * blockLuma's figures (the same integer sums), twice as fast, where the layout allows: four pixels
 * are three 32-bit words, and each word's bytes 0 and 2 (and 1 and 3) are added in two 16-bit
 * lanes of one number. Needs a block width that is a multiple of 4 (whole words), rows of whole
 * words, an aligned buffer, and at most 257 bytes added into a lane (255 x 257 < 2^16).
 * Null where any of that does not hold.
 */
export function packedBlocks(rgb: Rgb, kx: number, ky: number): Luma | null {
  const { data, width } = rgb;
  if (!LITTLE_ENDIAN || kx % 4 !== 0 || width % 4 !== 0 || data.byteOffset % 4 !== 0 || (kx / 4) * ky > 257) return null;
  const bw = Math.floor(width / kx);
  const bh = Math.floor(rgb.height / ky);
  const words = new Uint32Array(data.buffer, data.byteOffset, data.length >> 2);
  const rowWords = (width * 3) / 4;
  const blockWords = (kx * 3) / 4;
  const blocks = new Float64Array(bw * bh);
  const scale = 1 / (kx * ky);
  for (let by = 0; by < bh; by++) {
    const top = by * ky * rowWords;
    for (let bx = 0; bx < bw; bx++) {
      // Words w0 w1 w2 hold R0 G0 B0 R1 | G1 B1 R2 G2 | B2 R3 G3 B3 (little-endian: byte 0 lowest).
      let l0 = 0,
        h0 = 0,
        l1 = 0,
        h1 = 0,
        l2 = 0,
        h2 = 0;
      for (let y = 0, row = top + bx * blockWords; y < ky; y++, row += rowWords) {
        for (let j = row, end = row + blockWords; j < end; j += 3) {
          const w0 = words[j];
          const w1 = words[j + 1];
          const w2 = words[j + 2];
          l0 += w0 & LANES;
          h0 += (w0 >>> 8) & LANES;
          l1 += w1 & LANES;
          h1 += (w1 >>> 8) & LANES;
          l2 += w2 & LANES;
          h2 += (w2 >>> 8) & LANES;
        }
      }
      const r = (l0 & 0xffff) + (h0 >>> 16) + (l1 >>> 16) + (h2 & 0xffff);
      const g = (h0 & 0xffff) + (l1 & 0xffff) + (h1 >>> 16) + (l2 >>> 16);
      const b = (l0 >>> 16) + (h1 & 0xffff) + (l2 & 0xffff) + (h2 >>> 16);
      blocks[by * bw + bx] = (0.299 * r + 0.587 * g + 0.114 * b) * scale;
    }
  }
  return { data: blocks, width: bw, height: bh };
}

/** Rec. 601 luma (Y' = 0.299 R' + 0.587 G' + 0.114 B'), as MATLAB's rgb2gray and most SSIM code use. */
export function toLuma(rgb: Uint8Array, pixels: number): Float64Array {
  const out = new Float64Array(pixels);
  for (let i = 0, j = 0; i < pixels; i++, j += 3) out[i] = 0.299 * rgb[j] + 0.587 * rgb[j + 1] + 0.114 * rgb[j + 2];
  return out;
}

/**
 * Area-average resampling of a luma image to `width` x `height` (each output pixel is the mean of
 * the input area it covers, partial pixels weighted by their share): the pHash's 32x32 input.
 */
export function resizeArea(src: Luma, width: number, height: number): Luma {
  const xs = areaWeights(src.width, width);
  const ys = areaWeights(src.height, height);
  // Rows first (src.height x width), then columns.
  const rows = new Float64Array(src.height * width);
  for (let y = 0; y < src.height; y++) {
    const base = y * src.width;
    for (let x = 0; x < width; x++) {
      const { start, weights } = xs[x];
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k] * src.data[base + start + k];
      rows[y * width + x] = sum;
    }
  }
  const out = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    const { start, weights } = ys[y];
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k] * rows[(start + k) * width + x];
      out[y * width + x] = sum;
    }
  }
  return { data: out, width, height };
}

/** For each output pixel along one axis: the first input pixel it covers and the normalised weights. */
function areaWeights(from: number, to: number): { start: number; weights: Float64Array }[] {
  const scale = from / to;
  const result: { start: number; weights: Float64Array }[] = [];
  for (let o = 0; o < to; o++) {
    const lo = o * scale;
    const hi = (o + 1) * scale;
    const start = Math.min(from - 1, Math.floor(lo));
    const end = Math.min(from, Math.max(start + 1, Math.ceil(hi)));
    const weights = new Float64Array(end - start);
    let total = 0;
    for (let i = start; i < end; i++) {
      const w = Math.min(hi, i + 1) - Math.max(lo, i);
      weights[i - start] = w > 0 ? w : 0;
      total += weights[i - start];
    }
    if (total === 0) weights[0] = total = 1;
    for (let i = 0; i < weights.length; i++) weights[i] /= total;
    result.push({ start, weights });
  }
  return result;
}
