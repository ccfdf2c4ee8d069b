import sharp from 'sharp';
import { maxImagePixels } from '../images/check';

/**
 * The image side of the GPT-Image-Edit-1.5M regeneration recipe (paper §3.1, appendix A):
 * gpt-image-1 only takes three sizes, so a source is padded with white to the bucket nearest its
 * aspect ratio, sent, and the same box is cropped out of the result and resized back to the
 * source's size. A result that still shows padding (the model moved or shrank the content) is
 * caught by a border check.
 */

export type Bucket = { width: 1024; height: 1024 } | { width: 1536; height: 1024 } | { width: 1024; height: 1536 };

const SQUARE: Bucket = { width: 1024, height: 1024 };
export const BUCKETS: readonly Bucket[] = [SQUARE, { width: 1536, height: 1024 }, { width: 1024, height: 1536 }];

/** Integers, in bucket pixels. */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

const WHITE = { r: 255, g: 255, b: 255, alpha: 1 };
// fastShrinkOnLoad would let the JPEG decoder pre-shrink with a box filter; the recipe wants lanczos3 throughout.
const RESIZE = { fit: 'fill', kernel: 'lanczos3', fastShrinkOnLoad: false } as const;
/**
 * The synchronous upload is decoded by the API and never kept, so it is not deflated (PNG's
 * stored blocks, level 0): deflating a bucket-sized image is most of the padding's CPU (level 6
 * about 60 ms, level 1 about 35 ms, level 0 5 ms for 1536x1024; bench/README.md, "Regeneration
 * benchmark"), for an upload of the raw size (4.7 MB at 1536x1024 instead of 2-3 MB).
 */
export const UPLOAD_PNG = { compressionLevel: 0 } as const;
/** A Batch API line carries the upload as base64 in a JSON file of at most 200 MB: there the bytes count (sharp's default level). */
export const BATCH_UPLOAD_PNG = { compressionLevel: 6 } as const;

/** The bucket whose aspect ratio is nearest the image's (in log space, so 2:1 and 1:2 are equally far from 1:1); ties go to the square. */
export function chooseBucket(width: number, height: number): Bucket {
  if (!(width > 0 && height > 0)) throw new Error(`image size must be positive, got ${width}x${height}`);
  const ratio = Math.log(width / height);
  const distance = (b: Bucket) => Math.abs(ratio - Math.log(b.width / b.height));
  let best = SQUARE;
  for (const bucket of BUCKETS) {
    // The epsilon makes a tie exact even when the two logs differ in the last bit (e.g. ratio √1.5).
    if (distance(bucket) < distance(best) - 1e-12) best = bucket;
  }
  return best;
}

/**
 * Where the source goes inside the bucket: scaled to fit (contain), centred, the rest white.
 * One side fills the bucket exactly; the other is rounded to the nearest pixel (at least 1).
 * The source is later resized to exactly this box, so its aspect is off by under a pixel but
 * the box holds nothing but content: cropping it back out leaves no white fringe.
 */
export function contentBox(width: number, height: number, bucket: Bucket): Box {
  if (!(width > 0 && height > 0)) throw new Error(`image size must be positive, got ${width}x${height}`);
  const { width: bw, height: bh } = bucket;
  // Compared and scaled with products, not the float scale, so an exact fit stays exact.
  const widthFills = width * bh >= height * bw;
  const boxWidth = widthFills ? bw : clamp(Math.round((width * bh) / height), 1, bw);
  const boxHeight = widthFills ? clamp(Math.round((height * bw) / width), 1, bh) : bh;
  return {
    left: Math.floor((bw - boxWidth) / 2),
    top: Math.floor((bh - boxHeight) / 2),
    width: boxWidth,
    height: boxHeight,
  };
}

/** Where a source goes in its bucket (the nearest one, or the one given), from its header alone. */
export async function bucketPlan(
  source: Buffer | string,
  bucket?: Bucket,
): Promise<{ box: Box; bucket: Bucket; source: { width: number; height: number } }> {
  // autoOrient: width and height are what a viewer sees, and the pixels are turned to match.
  const { autoOrient } = await sharp(source, { autoOrient: true, limitInputPixels: maxImagePixels() }).metadata();
  const size = { width: autoOrient.width, height: autoOrient.height };
  const target = bucket ?? chooseBucket(size.width, size.height);
  return { box: contentBox(size.width, size.height, target), bucket: target, source: size };
}

/** The padded PNG to upload (exactly bucket-sized, sRGB, alpha flattened onto white) and where the source sits in it. */
export async function padToBucket(
  source: Buffer | string,
  bucket?: Bucket,
  png: { compressionLevel: number } = UPLOAD_PNG,
): Promise<{ png: Buffer; box: Box; bucket: Bucket; source: { width: number; height: number } }> {
  const { box, bucket: target, source: size } = await bucketPlan(source, bucket);
  const padded = await sharp(source, { autoOrient: true, limitInputPixels: maxImagePixels() })
    .resize(box.width, box.height, RESIZE)
    .flatten({ background: WHITE })
    .extend({
      top: box.top,
      left: box.left,
      bottom: target.height - box.top - box.height,
      right: target.width - box.left - box.width,
      background: WHITE,
    })
    .toColourspace('srgb')
    .png(png)
    .toBuffer();
  return { png: padded, box, bucket: target, source: size };
}

export interface RestoreResult {
  png: Buffer;
  width: number;
  height: number;
  /** The result was not bucket-sized. */
  wrongSize: boolean;
}

/** An image as 8-bit sRGB pixels, alpha flattened onto white (3 channels): what the padding check reads. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
}

/**
 * cropToSource's pixels, before they are encoded: the box cropped out of the API's result and
 * resized to the source's size, flattened onto white, sRGB. A result of the wrong size is first
 * stretched to the bucket (as raw pixels: no encode and decode in between).
 */
async function restorePixels(
  result: Buffer,
  box: Box,
  bucket: Bucket,
  source: { width: number; height: number },
): Promise<{ raw: RawImage; wrongSize: boolean }> {
  const { autoOrient } = await sharp(result, { autoOrient: true }).metadata();
  const wrongSize = autoOrient.width !== bucket.width || autoOrient.height !== bucket.height;
  let input = sharp(result, { autoOrient: true });
  if (wrongSize) {
    // Resize and extract in one sharp pipeline would extract first; two passes keep the order. The
    // raw pixels between them are 8-bit sRGB on white: a raw cast would clip a 16-bit answer to white
    // and keep only the first band of grey with alpha.
    const { data, info } = await input
      .resize(bucket.width, bucket.height, RESIZE)
      .flatten({ background: WHITE })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    input = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
  }
  const { data, info } = await input
    .extract(box)
    .resize(source.width, source.height, RESIZE)
    .flatten({ background: WHITE })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return { raw: { data, width: info.width, height: info.height, channels: info.channels }, wrongSize };
}

/** Raw sRGB pixels as the stored PNG (lossless, sharp's default level: the candidate is kept). */
const encodePng = (raw: RawImage) =>
  sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels as 3 } })
    .png()
    .toBuffer();

/**
 * Crops the box back out of the API's result and resizes it to the source's size. A result of
 * the wrong size is first stretched to the bucket, so the box still lands on the same content,
 * and flagged: the caller should treat it as suspect.
 */
export async function cropToSource(
  result: Buffer,
  box: Box,
  bucket: Bucket,
  source: { width: number; height: number },
): Promise<RestoreResult> {
  const { raw, wrongSize } = await restorePixels(result, box, bucket, source);
  return { png: await encodePng(raw), width: source.width, height: source.height, wrongSize };
}

/**
 * The answer half of the recipe in one pass: cropToSource and checkPadding on its result, from the
 * same pixels (the check reads them before they are encoded, so the result is decoded once).
 * The same PNG and the same check as the two calls one after the other (tested).
 */
export async function restoreAndCheck(
  result: Buffer,
  box: Box,
  bucket: Bucket,
  source: { width: number; height: number },
  options: { tolerance?: number; maxFraction?: number } = {},
): Promise<RestoreResult & { padding: PaddingCheck }> {
  const { raw, wrongSize } = await restorePixels(result, box, bucket, source);
  const padding = paddingOfPixels(raw, { ...options, wrongSize });
  return { png: await encodePng(raw), width: source.width, height: source.height, wrongSize, padding };
}

export interface PaddingCheck {
  ok: boolean;
  residualFraction: number;
  wrongSize: boolean;
  /** Strip thickness per side, in pixels of the checked image. */
  edges: { top: number; bottom: number; left: number; right: number };
}

/**
 * The paper's automatic check on a cropped result. Residual padding is the whole rows (from the
 * top and bottom) and whole columns (from the left and right, over the rows between those strips)
 * that are uniform near-white: every channel >= 255 - tolerance, and the line's spread at most
 * half the tolerance, so a flat off-white pad counts while textured white content (paper, snow)
 * usually stops the strip. Content that is genuinely white up to an edge is flagged too: a border
 * check cannot tell it from padding.
 */
export async function checkPadding(
  png: Buffer,
  options: { wrongSize?: boolean; tolerance?: number; maxFraction?: number } = {},
): Promise<PaddingCheck> {
  const { data, info } = await sharp(png).flatten({ background: WHITE }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return paddingOfPixels({ data, width: info.width, height: info.height, channels: info.channels }, options);
}

/** checkPadding on decoded pixels (sRGB, flattened). */
export function paddingOfPixels(
  image: RawImage,
  options: { wrongSize?: boolean; tolerance?: number; maxFraction?: number } = {},
): PaddingCheck {
  const { wrongSize = false, tolerance = 10, maxFraction = 0.005 } = options;
  const { data, width, height, channels } = image;
  const floor = 255 - tolerance;
  const maxSpread = tolerance / 2;

  // A line of `count` pixels starting at pixel index `start`, `step` pixels apart.
  const isPadding = (start: number, step: number, count: number) => {
    let min0 = 255,
      min1 = 255,
      min2 = 255,
      max0 = 0,
      max1 = 0,
      max2 = 0;
    for (let i = 0, at = start * channels; i < count; i++, at += step * channels) {
      const r = data[at],
        g = data[at + 1],
        b = data[at + 2];
      if (r < floor || g < floor || b < floor) return false;
      if (r < min0) min0 = r;
      if (r > max0) max0 = r;
      if (g < min1) min1 = g;
      if (g > max1) max1 = g;
      if (b < min2) min2 = b;
      if (b > max2) max2 = b;
    }
    return max0 - min0 <= maxSpread && max1 - min1 <= maxSpread && max2 - min2 <= maxSpread;
  };

  let top = 0;
  while (top < height && isPadding(top * width, 1, width)) top++;
  let bottom = 0;
  while (bottom < height - top && isPadding((height - 1 - bottom) * width, 1, width)) bottom++;
  const rows = height - top - bottom;
  let left = 0;
  let right = 0;
  if (rows > 0) {
    while (left < width && isPadding(top * width + left, width, rows)) left++;
    while (right < width - left && isPadding(top * width + width - 1 - right, width, rows)) right++;
  }

  // The union of the four strips: columns only count the rows the row strips did not take.
  const residualFraction = ((top + bottom) * width + (left + right) * rows) / (width * height);
  return {
    ok: residualFraction <= maxFraction && !wrongSize,
    residualFraction,
    wrongSize,
    edges: { top, bottom, left, right },
  };
}

function clamp(value: number, min: number, max: number) {
  return Math.min(max, Math.max(min, value));
}
