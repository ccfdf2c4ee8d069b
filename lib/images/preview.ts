import sharp from 'sharp';
import { maxImagePixels } from './check';

/** Long side of review previews: sharp on a 1440p screen at two panes, small to send. */
export const PREVIEW_MAX = 1600;

/** The preview of checked image bytes (at most the pixel limit decoded): a WebP, PREVIEW_MAX on its long side. */
export function previewOf(bytes: Buffer): ReturnType<typeof sharp> {
  return sharp(bytes, { limitInputPixels: maxImagePixels() })
    .rotate() // honour EXIF orientation, as the browser would for the full file
    .resize({ width: PREVIEW_MAX, height: PREVIEW_MAX, fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 86 });
}
