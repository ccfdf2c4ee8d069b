import sharp from 'sharp';
import { maxImagePixels } from './check';

/** Long side of review previews: sharp on a 1440p screen at two panes, small to send. */
export const PREVIEW_MAX = 1600;

/**
 * Long side of the dataset grid's thumbnails: a grid cell draws each image at most ~150 CSS px
 * (components/datasets/ItemGrid.tsx), so 384 is sharp at 2x DPR with some room, and a screen of
 * them is a fraction of the bytes (and decode time) of the review previews.
 */
export const THUMB_MAX = 384;

/** The sizes made from an original and stored (the original itself is `full`). */
export type PreviewSize = 'preview' | 'thumb';

/** Each stored size's long side. */
export const PREVIEW_SIDES: Record<PreviewSize, number> = { preview: PREVIEW_MAX, thumb: THUMB_MAX };

/** The preview of checked image bytes (at most the pixel limit decoded): a WebP, `max` on its long side. */
export function previewOf(bytes: Buffer, max: number = PREVIEW_MAX): ReturnType<typeof sharp> {
  return sharp(bytes, { limitInputPixels: maxImagePixels() })
    .rotate() // honour EXIF orientation, as the browser would for the full file
    .resize({ width: max, height: max, fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 86 });
}
