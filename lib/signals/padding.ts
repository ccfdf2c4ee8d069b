import type { Rgb } from './pixels';

export type PadColour = 'white' | 'black';

export interface PaddingResidual {
  /** Share of the image's area covered by the padding strips (0: none; 1: a blank image). */
  fraction: number;
  /** Strip thickness per side, in pixels of the image. */
  edges: { top: number; bottom: number; left: number; right: number };
  /** What the strips are: one colour, both (`mixed`), or none. */
  colour: PadColour | 'mixed' | null;
}

/** As the regeneration check (lib/regenerate/recipe.ts `checkPadding`): channels within 10 of the extreme. */
export const PADDING_TOLERANCE = 10;

/**
 * Residual padding of any edited image: the regeneration recipe's border check (`checkPadding` in
 * lib/regenerate/recipe.ts), generalised from white to white or black. The strips are the whole
 * rows from the top and bottom, then the whole columns from the left and right over the rows
 * between, that are uniform near-white (every channel >= 255 - tolerance) or near-black (every
 * channel <= tolerance) with each channel's spread along the line at most half the tolerance, so a
 * flat pad counts while textured white or dark content usually stops the strip. On white padding
 * it gives the same edges and fraction as `checkPadding` (tested).
 */
export function paddingResidual(image: Rgb, tolerance = PADDING_TOLERANCE): PaddingResidual {
  const { data, width, height } = image;
  const maxSpread = tolerance / 2;
  const found = new Set<PadColour>();

  // A line of `count` pixels starting at pixel `start`, `step` pixels apart: its pad colour, if it is one.
  const padColour = (start: number, step: number, count: number): PadColour | null => {
    const first = start * 3;
    const colour: PadColour | null =
      data[first] >= 255 - tolerance && data[first + 1] >= 255 - tolerance && data[first + 2] >= 255 - tolerance
        ? 'white'
        : data[first] <= tolerance && data[first + 1] <= tolerance && data[first + 2] <= tolerance
          ? 'black'
          : null;
    if (!colour) return null;
    const lo = colour === 'white' ? 255 - tolerance : 0;
    const hi = colour === 'white' ? 255 : tolerance;
    let min0 = 255,
      min1 = 255,
      min2 = 255,
      max0 = 0,
      max1 = 0,
      max2 = 0;
    for (let i = 0, at = first; i < count; i++, at += step * 3) {
      const r = data[at],
        g = data[at + 1],
        b = data[at + 2];
      if (r < lo || r > hi || g < lo || g > hi || b < lo || b > hi) return null;
      if (r < min0) min0 = r;
      if (r > max0) max0 = r;
      if (g < min1) min1 = g;
      if (g > max1) max1 = g;
      if (b < min2) min2 = b;
      if (b > max2) max2 = b;
    }
    return max0 - min0 <= maxSpread && max1 - min1 <= maxSpread && max2 - min2 <= maxSpread ? colour : null;
  };
  const strip = (line: (i: number) => PadColour | null, limit: number) => {
    let n = 0;
    for (let colour; n < limit && (colour = line(n)); n++) found.add(colour);
    return n;
  };

  const top = strip((i) => padColour(i * width, 1, width), height);
  const bottom = strip((i) => padColour((height - 1 - i) * width, 1, width), height - top);
  const rows = height - top - bottom;
  let left = 0;
  let right = 0;
  if (rows > 0) {
    left = strip((i) => padColour(top * width + i, width, rows), width);
    right = strip((i) => padColour(top * width + width - 1 - i, width, rows), width - left);
  }
  // The union of the four strips: columns only count the rows the row strips did not take.
  const fraction = ((top + bottom) * width + (left + right) * rows) / (width * height);
  const colour = found.size === 0 ? null : found.size === 2 ? 'mixed' : [...found][0];
  return { fraction, edges: { top, bottom, left, right }, colour };
}
