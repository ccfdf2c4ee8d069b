import type { Luma } from './pixels';

/**
 * SSIM as scikit-image's `structural_similarity` computes it by default: a 7x7 uniform window,
 * sample (co)variances (N / (N - 1)), K1 = 0.01, K2 = 0.03, L = 255, the mean over the positions
 * where the whole window fits. (Signals version 1 used Wang et al.'s 11x11 Gaussian, sigma 1.5, at
 * 256 px; a uniform window is a running sum, a few operations per pixel whatever its size.)
 */
const WINDOW = 7;
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

let scratchKey = '';
let scratchArrays: Float64Array[] = [];

/**
 * Working arrays of the given lengths, kept for the next call at the same size: a signals thread
 * measures one size after another, and fresh arrays each time cost garbage-collection time.
 * Every element is written before it is read, so none is cleared.
 */
function scratch(key: string, lengths: number[]): Float64Array[] {
  if (key !== scratchKey) {
    scratchArrays = lengths.map((length) => new Float64Array(length));
    scratchKey = key;
  }
  return scratchArrays;
}

/**
 * Mean SSIM of two luma images of the same size over every position where the window fits
 * ("valid"). An image smaller than the window uses a window as large as its short side. 1 for
 * identical images; it falls with noise, blur or changed content, and goes to 0 or below for
 * unrelated or inverted images (range -1 to 1). Window sums are running sums: along each row,
 * then down the columns of those, so the cost per pixel does not depend on the window.
 */
export function ssim(a: Luma, b: Luma): number {
  const { width, height } = sameSize(a, b);
  const size = Math.min(WINDOW, width, height);
  const n = size * size;
  // Sample (co)variances, as scikit-image; a 1-pixel window has none.
  const norm = n > 1 ? n / (n - 1) : 1;
  const ow = width - size + 1;
  const oh = height - size + 1;
  const x = a.data;
  const y = b.data;
  // Window sums along each row of x, y, x², y², xy (valid columns only), then the column sums of one output row.
  const [hx, hy, hxx, hyy, hxy, sx, sy, sxx, syy, sxy] = scratch(`${width}x${height}`, [
    ...Array<number>(5).fill(ow * height),
    ...Array<number>(5).fill(ow),
  ]);
  for (let row = 0; row < height; row++) {
    const base = row * width;
    let ax = 0,
      ay = 0,
      axx = 0,
      ayy = 0,
      axy = 0;
    for (let k = 0; k < width; k++) {
      const p = base + k;
      const vx = x[p];
      const vy = y[p];
      ax += vx;
      ay += vy;
      axx += vx * vx;
      ayy += vy * vy;
      axy += vx * vy;
      if (k >= size) {
        const q = p - size;
        const ux = x[q];
        const uy = y[q];
        ax -= ux;
        ay -= uy;
        axx -= ux * ux;
        ayy -= uy * uy;
        axy -= ux * uy;
      }
      if (k >= size - 1) {
        const at = row * ow + k - size + 1;
        hx[at] = ax;
        hy[at] = ay;
        hxx[at] = axx;
        hyy[at] = ayy;
        hxy[at] = axy;
      }
    }
  }

  let total = 0;
  for (let row = 0; row < oh; row++) {
    if (row === 0) {
      // The first output row's column sums in full; later rows add the row entering and drop the one leaving.
      sx.fill(0);
      sy.fill(0);
      sxx.fill(0);
      syy.fill(0);
      sxy.fill(0);
      for (let k = 0; k < size; k++) {
        const p = k * ow;
        for (let col = 0; col < ow; col++) {
          sx[col] += hx[p + col];
          sy[col] += hy[p + col];
          sxx[col] += hxx[p + col];
          syy[col] += hyy[p + col];
          sxy[col] += hxy[p + col];
        }
      }
    } else {
      const p = (row + size - 1) * ow;
      const q = (row - 1) * ow;
      for (let col = 0; col < ow; col++) {
        sx[col] += hx[p + col] - hx[q + col];
        sy[col] += hy[p + col] - hy[q + col];
        sxx[col] += hxx[p + col] - hxx[q + col];
        syy[col] += hyy[p + col] - hyy[q + col];
        sxy[col] += hxy[p + col] - hxy[q + col];
      }
    }
    for (let col = 0; col < ow; col++) {
      const ux = sx[col] / n;
      const uy = sy[col] / n;
      const vx = norm * (sxx[col] / n - ux * ux);
      const vy = norm * (syy[col] / n - uy * uy);
      const cov = norm * (sxy[col] / n - ux * uy);
      total += ((2 * ux * uy + C1) * (2 * cov + C2)) / ((ux * ux + uy * uy + C1) * (vx + vy + C2));
    }
  }
  return total / (ow * oh);
}

/** Luma difference above which a pixel counts as changed (after the blur). */
export const CHANGED_THRESHOLD = 24;

/**
 * The share of pixels whose luma differs by more than `threshold` (of 255) once both images are
 * blurred with a 3x3 binomial kernel, which keeps compression noise and one-pixel shifts from
 * counting. 0: nothing changed; 1: every pixel changed. (The blur is linear, so the difference
 * is blurred once instead of both images.)
 */
export function changedFraction(a: Luma, b: Luma, threshold = CHANGED_THRESHOLD): number {
  const { width, height } = sameSize(a, b);
  // [1 2 1] / 4 along rows (edges clamped) of the difference, then along columns while counting.
  const rows = new Float64Array(width * height);
  const p = a.data;
  const q = b.data;
  for (let row = 0; row < height; row++) {
    const base = row * width;
    for (let col = 0; col < width; col++) {
      const left = base + (col > 0 ? col - 1 : 0);
      const right = base + (col < width - 1 ? col + 1 : col);
      rows[base + col] = (p[left] - q[left] + 2 * (p[base + col] - q[base + col]) + (p[right] - q[right])) / 4;
    }
  }
  let changed = 0;
  for (let y = 0; y < height; y++) {
    const up = (y > 0 ? y - 1 : 0) * width;
    const down = (y < height - 1 ? y + 1 : y) * width;
    const base = y * width;
    for (let x = 0; x < width; x++) {
      const blurred = (rows[up + x] + 2 * rows[base + x] + rows[down + x]) / 4;
      if (blurred > threshold || blurred < -threshold) changed++;
    }
  }
  return changed / (width * height);
}

function sameSize(a: Luma, b: Luma) {
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(`images must be the same size to compare (${a.width}x${a.height} vs ${b.width}x${b.height})`);
  }
  if (a.width < 1 || a.height < 1) throw new Error('cannot compare empty images');
  return { width: a.width, height: a.height };
}
