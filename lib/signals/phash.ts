import { resizeArea, type Luma } from './pixels';

/** A 64-bit hash as two unsigned 32-bit halves (no BigInt on the hot path). */
export interface Hash64 {
  hi: number;
  lo: number;
}

const SIDE = 32;
const BAND = 8;

/** COS[u * 32 + x] = cos((2x + 1) u π / 64): the DCT-II basis, rows 0-8 (the only ones used). */
const COS = (() => {
  const table = new Float64Array((BAND + 1) * SIDE);
  for (let u = 0; u <= BAND; u++) for (let x = 0; x < SIDE; x++) table[u * SIDE + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * SIDE));
  return table;
})();

/**
 * The classic perceptual hash: the image area-averaged to 32x32 luma, its 2-D DCT, the 8x8 block
 * of lowest frequencies without the DC row and column (u, v = 1..8), and one bit per coefficient:
 * above the block's median. Robust to resizing, recompression and small colour shifts; far apart
 * for different pictures. A flat image (no AC energy: its bits would be rounding noise) hashes to 0.
 */
export function phash(image: Luma): Hash64 {
  const small = image.width === SIDE && image.height === SIDE ? image : resizeArea(image, SIDE, SIDE);
  const px = small.data;
  // Rows: T[y][u] = Σx px[y][x] cos(u, x), for u = 0..8.
  const rows = new Float64Array(SIDE * (BAND + 1));
  for (let y = 0; y < SIDE; y++) {
    for (let u = 1; u <= BAND; u++) {
      let sum = 0;
      for (let x = 0; x < SIDE; x++) sum += px[y * SIDE + x] * COS[u * SIDE + x];
      rows[y * (BAND + 1) + u] = sum;
    }
  }
  // Columns: D[v][u] = Σy T[y][u] cos(v, y), for u, v = 1..8 (all share one scale factor, so none is applied).
  const coefficients = new Float64Array(BAND * BAND);
  let energy = 0;
  for (let v = 1; v <= BAND; v++) {
    for (let u = 1; u <= BAND; u++) {
      let sum = 0;
      for (let y = 0; y < SIDE; y++) sum += rows[y * (BAND + 1) + u] * COS[v * SIDE + y];
      coefficients[(v - 1) * BAND + (u - 1)] = sum;
      energy = Math.max(energy, Math.abs(sum));
    }
  }
  // Luma is 0-255 over 1024 pixels: below 1 the picture is flat to within rounding.
  if (energy < 1) return { hi: 0, lo: 0 };
  const sorted = Float64Array.from(coefficients).sort();
  const median = (sorted[31] + sorted[32]) / 2;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 32; i++) if (coefficients[i] > median) hi |= 1 << (31 - i);
  for (let i = 32; i < 64; i++) if (coefficients[i] > median) lo |= 1 << (63 - i);
  return { hi: hi >>> 0, lo: lo >>> 0 };
}

/** 16 lower-case hex digits, most significant first. */
export function hashHex({ hi, lo }: Hash64): string {
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

export function parseHashHex(hex: string): Hash64 {
  if (!/^[0-9a-f]{16}$/i.test(hex)) throw new Error(`not a 64-bit hex hash: ${JSON.stringify(hex)}`);
  return { hi: parseInt(hex.slice(0, 8), 16), lo: parseInt(hex.slice(8), 16) };
}

/** Set bits of a 32-bit integer. */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

export function hamming(a: Hash64, b: Hash64): number {
  return popcount32(a.hi ^ b.hi) + popcount32(a.lo ^ b.lo);
}
