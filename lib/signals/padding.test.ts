import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { checkPadding } from '../regenerate/recipe';
import { seededRandom } from '../random';
import { paddingResidual } from './padding';
import { decodeRgb } from './pixels';
import { photoLikeRgb } from './synthetic';

const W = 200;
const H = 150;
const photo = () => sharp(photoLikeRgb(W, H, 11), { raw: { width: W, height: H, channels: 3 } });
const WHITE = { r: 255, g: 255, b: 255 };
const BLACK = { r: 0, g: 0, b: 0 };

describe('paddingResidual', () => {
  it('finds nothing on a clean photo', async () => {
    const result = paddingResidual(await decodeRgb(await photo().png().toBuffer()));
    expect(result).toEqual({ fraction: 0, edges: { top: 0, bottom: 0, left: 0, right: 0 }, colour: null });
  });

  it('measures white strips exactly as the regeneration check does', async () => {
    const png = await photo().extend({ top: 12, bottom: 5, left: 0, right: 20, background: WHITE }).png().toBuffer();
    const result = paddingResidual(await decodeRgb(png));
    const width = W + 20;
    const height = H + 17;
    expect(result.edges).toEqual({ top: 12, bottom: 5, left: 0, right: 20 });
    expect(result.colour).toBe('white');
    expect(result.fraction).toBeCloseTo((17 * width + 20 * (height - 17)) / (width * height), 12);
    const check = await checkPadding(png);
    expect(check.edges).toEqual(result.edges);
    expect(check.residualFraction).toBeCloseTo(result.fraction, 12);
  });

  it('finds black letterbox bars too, and says when colours are mixed', async () => {
    const black = paddingResidual(await decodeRgb(await photo().extend({ left: 16, right: 16, background: BLACK }).png().toBuffer()));
    expect(black.edges).toEqual({ top: 0, bottom: 0, left: 16, right: 16 });
    expect(black.colour).toBe('black');
    expect(black.fraction).toBeCloseTo(32 / (W + 32), 12);

    const mixed = paddingResidual(
      await decodeRgb(
        await sharp(await photo().extend({ top: 8, background: WHITE }).png().toBuffer())
          .extend({ bottom: 6, background: BLACK })
          .png()
          .toBuffer(),
      ),
    );
    expect(mixed.colour).toBe('mixed');
    expect(mixed.edges).toEqual({ top: 8, bottom: 6, left: 0, right: 0 });
  });

  it('does not count textured near-white content, and counts a near-white flat pad', async () => {
    const random = seededRandom(3);
    const snow = Buffer.from(Array.from({ length: W * H * 3 }, () => 245 + Math.floor(random() * 11)));
    const textured = paddingResidual(
      await decodeRgb(
        await sharp(snow, { raw: { width: W, height: H, channels: 3 } })
          .png()
          .toBuffer(),
      ),
    );
    expect(textured.fraction).toBe(0);
    const offWhite = await photo()
      .extend({ top: 10, background: { r: 248, g: 250, b: 247 } })
      .png()
      .toBuffer();
    expect(paddingResidual(await decodeRgb(offWhite)).edges.top).toBe(10);
  });

  it('calls a blank image all padding', async () => {
    const blank = await sharp({ create: { width: 40, height: 30, channels: 3, background: WHITE } })
      .png()
      .toBuffer();
    expect(paddingResidual(await decodeRgb(blank)).fraction).toBe(1);
  });
});
