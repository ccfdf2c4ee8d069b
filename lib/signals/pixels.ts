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

/** Long side of the images the edit magnitude is measured on. */
export const COMPARE_LONG_SIDE = 256;

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

/** The image resized (stretched if its aspect differs) to exactly `size`, as luma. */
export async function lumaAt(rgb: Rgb, size: { width: number; height: number }): Promise<Luma> {
  let pixels = rgb.data;
  if (size.width !== rgb.width || size.height !== rgb.height) {
    pixels = await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
      .resize(size.width, size.height, { fit: 'fill', kernel: 'lanczos3' })
      .raw()
      .toBuffer();
  }
  return { data: toLuma(pixels, size.width * size.height), width: size.width, height: size.height };
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
