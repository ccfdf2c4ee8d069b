import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random';
import { blockLuma, lumaAt, packedBlocks, resizeArea, toLuma, type Rgb } from './pixels';

function randomRgb(width: number, height: number, seed: number): Rgb {
  const random = seededRandom(seed);
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(random() * 256);
  return { data, width, height };
}

describe('lumaAt', () => {
  it('packed words give exactly the byte-wise block sums, wherever the layout allows them', () => {
    for (const [width, height, kx, ky] of [
      [512, 512, 4, 4],
      [1536, 1024, 12, 12],
      [1024, 683, 8, 8],
      [64, 40, 4, 1],
      [1024, 1024, 16, 16],
    ]) {
      const rgb = randomRgb(width, height, width + height);
      const packed = packedBlocks(rgb, kx, ky);
      expect(packed, `${width}x${height}`).not.toBeNull();
      expect(packed).toEqual(blockLuma(rgb, kx, ky));
    }
    // Blocks of 257 x 4 bytes per lane still fit in 16 bits: all-255 pixels do not carry into the next lane.
    const white = { data: Buffer.alloc(1028 * 257 * 3, 255), width: 1028, height: 257 };
    expect(packedBlocks(white, 4, 257)!.data[0]).toBeCloseTo(255, 9);
    expect(packedBlocks(white, 8, 257)).toBeNull(); // 2 x 257 bytes per lane would not
    expect(packedBlocks(randomRgb(30, 30, 1), 3, 3)).toBeNull(); // blocks of 3 pixels are not whole words
    const unaligned = randomRgb(65, 8, 2);
    expect(packedBlocks({ ...unaligned, data: unaligned.data.subarray(1) }, 4, 4)).toBeNull();
  });

  it('is the mean luma of each block, Rec. 601', () => {
    const rgb = randomRgb(8, 4, 3);
    const full = toLuma(rgb.data, 32);
    const small = lumaAt(rgb, { width: 2, height: 1 });
    expect(small.width).toBe(2);
    for (let bx = 0; bx < 2; bx++) {
      let sum = 0;
      for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) sum += full[y * 8 + bx * 4 + x];
      expect(small.data[bx]).toBeCloseTo(sum / 16, 9);
    }
  });

  it('reaches sizes that are no whole factor of the image (blocks, then area averaging), and enlarges', () => {
    const rgb = randomRgb(683, 1024, 4);
    const luma = lumaAt(rgb, { width: 85, height: 128 });
    expect([luma.width, luma.height, luma.data.length]).toEqual([85, 128, 85 * 128]);
    // 683 / 85 -> blocks of 8 (85 columns, 3 left out), 1024 / 128 -> 8: no second step.
    expect(luma).toEqual(blockLuma(rgb, 8, 8));
    const odd = lumaAt(rgb, { width: 100, height: 150 }); // blocks of 6 x 6 (113 x 170), then area-averaged
    expect(odd).toEqual(resizeArea(blockLuma(rgb, 6, 6), 100, 150));
    const flat = { data: Buffer.alloc(20 * 10 * 3, 90), width: 20, height: 10 };
    const big = lumaAt(flat, { width: 40, height: 8 }); // wider than the image: the general resampler
    expect(big.width * big.height).toBe(320);
    for (const v of big.data) expect(v).toBeCloseTo(90, 9);
  });
});
