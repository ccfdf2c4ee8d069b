import type { Luma } from './pixels';

/** Wang et al. (2004): an 11x11 Gaussian window, sigma 1.5, K1 = 0.01, K2 = 0.03, L = 255. */
const WINDOW = 11;
const SIGMA = 1.5;
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

function gaussian(size: number, sigma: number): Float64Array {
  const kernel = new Float64Array(size);
  const mid = (size - 1) / 2;
  let total = 0;
  for (let i = 0; i < size; i++) total += kernel[i] = Math.exp(-((i - mid) ** 2) / (2 * sigma * sigma));
  for (let i = 0; i < size; i++) kernel[i] /= total;
  return kernel;
}

const KERNEL = gaussian(WINDOW, SIGMA);

let scratchKey = '';
let scratchArrays: Float64Array[] = [];

/**
 * Working arrays of the given lengths, kept for the next call at the same size: a signals thread
 * measures one size after another, and fresh arrays each time cost as much in garbage collection
 * as a third of the arithmetic. Every element is written before it is read, so none is cleared.
 */
function scratch(width: number, height: number, lengths: number[]): Float64Array[] {
  const key = `${width}x${height}`;
  if (key !== scratchKey) {
    scratchArrays = lengths.map((length) => new Float64Array(length));
    scratchKey = key;
  }
  return scratchArrays;
}

/**
 * Mean SSIM of two luma images of the same size: the Gaussian-weighted local means, variances
 * and covariance at every position where the whole window fits ("valid"), as in the reference
 * implementation. An image smaller than the window uses a window as large as it is. 1 for
 * identical images; it falls with noise, blur or changed content, and goes to 0 or below for
 * unrelated or inverted images (range -1 to 1).
 */
export function ssim(a: Luma, b: Luma): number {
  const { width, height } = sameSize(a, b);
  const size = Math.min(WINDOW, width, height);
  const kernel = size === WINDOW ? KERNEL : gaussian(size, SIGMA);
  // The window is symmetric: taps k and size-1-k share a weight, so each pair is added before it is weighed.
  const half = size >> 1;
  const last = size - 1;
  const ow = width - size + 1;
  const oh = height - size + 1;
  const x = a.data;
  const y = b.data;
  const pixels = width * height;
  const n = ow * height;
  // Three maps of the image, five horizontal sums of them, five vertical sums of one row.
  const lengths = [...Array<number>(3).fill(pixels), ...Array<number>(5).fill(n), ...Array<number>(5).fill(ow)];
  const [xx, yy, xy, hx, hy, hxx, hyy, hxy, mx, my, mxx, myy, mxy] = scratch(width, height, lengths);
  for (let i = 0; i < pixels; i++) {
    xx[i] = x[i] * x[i];
    yy[i] = y[i] * y[i];
    xy[i] = x[i] * y[i];
  }

  // Horizontal pass of the five maps (x, y, x², y², xy) over every row, valid columns only.
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < ow; col++) {
      const from = row * width + col;
      let sx = 0,
        sy = 0,
        sxx = 0,
        syy = 0,
        sxy = 0;
      for (let k = 0; k < half; k++) {
        const w = kernel[k];
        const p = from + k;
        const q = from + last - k;
        sx += w * (x[p] + x[q]);
        sy += w * (y[p] + y[q]);
        sxx += w * (xx[p] + xx[q]);
        syy += w * (yy[p] + yy[q]);
        sxy += w * (xy[p] + xy[q]);
      }
      if (size & 1) {
        const w = kernel[half];
        const p = from + half;
        sx += w * x[p];
        sy += w * y[p];
        sxx += w * xx[p];
        syy += w * yy[p];
        sxy += w * xy[p];
      }
      const at = row * ow + col;
      hx[at] = sx;
      hy[at] = sy;
      hxx[at] = sxx;
      hyy[at] = syy;
      hxy[at] = sxy;
    }
  }

  // Vertical pass row by row (sequential reads), and the SSIM of each window summed as we go.
  let total = 0;
  for (let row = 0; row < oh; row++) {
    mx.fill(0);
    my.fill(0);
    mxx.fill(0);
    myy.fill(0);
    mxy.fill(0);
    for (let k = 0; k < half; k++) {
      const w = kernel[k];
      const p = (row + k) * ow;
      const q = (row + last - k) * ow;
      for (let col = 0; col < ow; col++) {
        mx[col] += w * (hx[p + col] + hx[q + col]);
        my[col] += w * (hy[p + col] + hy[q + col]);
        mxx[col] += w * (hxx[p + col] + hxx[q + col]);
        myy[col] += w * (hyy[p + col] + hyy[q + col]);
        mxy[col] += w * (hxy[p + col] + hxy[q + col]);
      }
    }
    if (size & 1) {
      const w = kernel[half];
      const p = (row + half) * ow;
      for (let col = 0; col < ow; col++) {
        mx[col] += w * hx[p + col];
        my[col] += w * hy[p + col];
        mxx[col] += w * hxx[p + col];
        myy[col] += w * hyy[p + col];
        mxy[col] += w * hxy[p + col];
      }
    }
    for (let col = 0; col < ow; col++) {
      const ux = mx[col];
      const uy = my[col];
      const vx = mxx[col] - ux * ux;
      const vy = myy[col] - uy * uy;
      const cov = mxy[col] - ux * uy;
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
