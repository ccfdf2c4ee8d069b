import { seededRandom } from '../random';

/**
 * Photo-like test pictures (tests and bench/signals.ts): colour gradients, value noise at two
 * scales and a little grain, deterministic per seed, so PNG coding and the signals cost what a
 * photo's would and different seeds are different pictures.
 */
export function photoLikeRgb(width: number, height: number, seed: number): Buffer {
  const random = seededRandom(seed);
  const grid = (cells: number) => {
    const values = Float64Array.from({ length: (cells + 1) * (cells + 1) * 3 }, () => random());
    return (x: number, y: number, c: number) => {
      const gx = (x / width) * cells;
      const gy = (y / height) * cells;
      const x0 = Math.min(cells - 1, Math.floor(gx));
      const y0 = Math.min(cells - 1, Math.floor(gy));
      const fx = gx - x0;
      const fy = gy - y0;
      const at = (i: number, j: number) => values[(j * (cells + 1) + i) * 3 + c];
      return (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
    };
  };
  const coarse = grid(3);
  const fine = grid(17);
  const tint = [random(), random(), random()];
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const gradient = (c === 0 ? x / width : c === 1 ? y / height : (x + y) / (width + height)) * tint[c];
        const v = 255 * (0.35 * gradient + 0.4 * coarse(x, y, c) + 0.25 * fine(x, y, c)) + (random() - 0.5) * 12;
        data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return data;
}

/** A copy of an RGB picture with a rectangle painted in one colour (a known edited area). */
export function paintRect(
  rgb: Buffer,
  width: number,
  rect: { left: number; top: number; width: number; height: number },
  colour: [number, number, number],
): Buffer {
  const out = Buffer.from(rgb);
  for (let y = rect.top; y < rect.top + rect.height; y++) {
    for (let x = rect.left; x < rect.left + rect.width; x++) out.set(colour, (y * width + x) * 3);
  }
  return out;
}
