import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random';
import { measurePair } from './measure';
import { SAMPLES_DIR } from '../test/factories';
import { compareSize, decodeRgb, lumaAt, toLuma, type Luma } from './pixels';
import { changedFraction, ssim } from './ssim';
import { paintRect, photoLikeRgb } from './synthetic';

/** A bundled sample photo's luma at its comparison size (or at `like`'s size). */
async function sampleLuma(file: string, like?: Luma): Promise<Luma> {
  const rgb = await decodeRgb(path.join(SAMPLES_DIR, file));
  return lumaAt(rgb, like ?? compareSize(rgb.width, rgb.height));
}

const luma = (rgb: Buffer, width: number, height: number): Luma => ({ data: toLuma(rgb, width * height), width, height });
const map = (image: Luma, f: (v: number, i: number) => number): Luma => ({ ...image, data: image.data.map(f) });
const noisy = (image: Luma, amplitude: number, seed: number) => {
  const random = seededRandom(seed);
  return map(image, (v) => Math.max(0, Math.min(255, v + (random() - 0.5) * 2 * amplitude)));
};

describe('ssim', () => {
  const photo = luma(photoLikeRgb(160, 120, 1), 160, 120);

  it('is 1 for identical images and symmetric', () => {
    expect(ssim(photo, photo)).toBeCloseTo(1, 12);
    const other = noisy(photo, 20, 2);
    expect(ssim(photo, other)).toBeCloseTo(ssim(other, photo), 12);
  });

  it('falls as noise grows', () => {
    const values = [5, 15, 40].map((amplitude) => ssim(photo, noisy(photo, amplitude, 3)));
    expect(values[0]).toBeLessThan(1);
    expect(values[0]).toBeGreaterThan(values[1]);
    expect(values[1]).toBeGreaterThan(values[2]);
  });

  it('is low for a real photo inverted, or another photo', async () => {
    const astronaut = await sampleLuma('hqedit/edit/input/00000001.png');
    expect(
      ssim(
        astronaut,
        map(astronaut, (v) => 255 - v),
      ),
    ).toBeLessThan(0);
    const coffee = await sampleLuma('hqedit/edit/input/00000002.png', astronaut);
    expect(ssim(astronaut, coffee)).toBeLessThan(0.3);
  });

  it("matches scikit-image's default structural_similarity (uniform 7x7, sample covariance, valid windows) computed independently", () => {
    // Expected values from NumPy/SciPy on the same arrays, following skimage.metrics.structural_similarity
    // step by step: scipy.ndimage.uniform_filter(size=7) of x, y, x², y², xy; (co)variances times 49/48;
    // the SSIM map cropped by 3 on every side (the positions where the window fits), then its mean.
    const a = luma(photoLikeRgb(97, 64, 1), 97, 64);
    const random = seededRandom(9);
    const b = map(a, (v) => Math.max(0, Math.min(255, v + (random() - 0.5) * 60)));
    expect(ssim(a, b)).toBeCloseTo(0.3312828967355828, 9);
    expect(
      ssim(
        a,
        map(a, (v) => 255 - v),
      ),
    ).toBeCloseTo(-0.11281984849075097, 9);
  });

  it('of flat images is the luminance term alone, and works below the window size', () => {
    const flat = (v: number): Luma => ({ data: new Float64Array(6 * 4).fill(v), width: 6, height: 4 });
    const C1 = (0.01 * 255) ** 2;
    expect(ssim(flat(100), flat(150))).toBeCloseTo((2 * 100 * 150 + C1) / (100 ** 2 + 150 ** 2 + C1), 12);
    expect(ssim(flat(100), flat(100))).toBeCloseTo(1, 12);
  });

  it('refuses images of different sizes', () => {
    expect(() => ssim(photo, luma(photoLikeRgb(10, 10, 1), 10, 10))).toThrow(/same size/);
  });
});

describe('changedFraction', () => {
  it('is 0 for a copy with mild noise, most of a different photo, ~1 for inverted contrast', async () => {
    const photo = luma(photoLikeRgb(128, 96, 4), 128, 96);
    expect(changedFraction(photo, photo)).toBe(0);
    expect(changedFraction(photo, noisy(photo, 6, 5))).toBe(0);
    const astronaut = await sampleLuma('hqedit/edit/input/00000001.png');
    expect(changedFraction(astronaut, await sampleLuma('hqedit/edit/input/00000002.png', astronaut))).toBeGreaterThan(0.5);
    const contrast = map(photo, (v) => (v < 128 ? 30 : 225));
    expect(
      changedFraction(
        contrast,
        map(contrast, (v) => 255 - v),
      ),
    ).toBeGreaterThan(0.95); // all but the blurred borders
  });

  it('is the share of a painted rectangle, through the whole pipeline (PNG files, shrunk to 128)', async () => {
    const size = 512;
    const source = photoLikeRgb(size, size, 6);
    const rect = { left: 100, top: 140, width: 160, height: 128 }; // 7.8% of the picture
    const edit = paintRect(source, size, rect, [255, 255, 255]);
    const png = (rgb: Buffer) =>
      sharp(rgb, { raw: { width: size, height: size, channels: 3 } })
        .png()
        .toBuffer();
    const measured = await measurePair(await png(source), await png(edit));
    const share = (rect.width * rect.height) / (size * size);
    expect(measured.compared).toEqual({ width: 128, height: 128 });
    // At 128 px the rectangle is 40x32; the blur may count the one-pixel ring around it (0.9% of the picture).
    const ring = (2 * (40 + 32) + 4) / (128 * 128);
    expect(measured.changedFraction).toBeGreaterThan(share - 0.006);
    expect(measured.changedFraction).toBeLessThanOrEqual(share + ring);
    expect(measured.ssim).toBeLessThan(0.97);
    expect(measured.ssim).toBeGreaterThan(0.8);

    const same = await measurePair(
      await png(source),
      await sharp(await png(source))
        .jpeg({ quality: 90 })
        .toBuffer(),
    );
    expect(same.changedFraction).toBeLessThan(0.001);
    expect(same.ssim).toBeGreaterThan(0.95);
  });
});
