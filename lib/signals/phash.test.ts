import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { SAMPLES_DIR } from '../test/factories';
import { hamming, hashHex, parseHashHex, phash, popcount32 } from './phash';
import { compareSize, decodeRgb, lumaAt } from './pixels';

async function hashOf(input: string | Buffer) {
  const rgb = await decodeRgb(input);
  return phash(await lumaAt(rgb, compareSize(rgb.width, rgb.height)));
}

/** Every bundled source photo (12 items; two share the horse picture). */
function sampleSources(): string[] {
  const files: string[] = [];
  for (const family of fs.readdirSync(SAMPLES_DIR)) {
    for (const task of fs.readdirSync(path.join(SAMPLES_DIR, family))) {
      const dir = path.join(SAMPLES_DIR, family, task, 'input');
      for (const file of fs.readdirSync(dir)) files.push(path.join(dir, file));
    }
  }
  return files.sort();
}

describe('phash', () => {
  it('barely moves for a resized, recompressed copy', async () => {
    for (const file of sampleSources().slice(0, 6)) {
      const original = await hashOf(file);
      const meta = await sharp(file).metadata();
      const copy = await sharp(file)
        .resize(Math.round(meta.width * 0.6))
        .jpeg({ quality: 70 })
        .toBuffer();
      expect(hamming(original, await hashOf(copy)), file).toBeLessThanOrEqual(4);
    }
  });

  it('is 0 for the same picture and far apart for different ones', async () => {
    // The samples reuse some source photos (same bytes under two items): those must hash alike.
    const files = sampleSources();
    const hashes = await Promise.all(files.map(hashOf));
    const digest = (file: string) => crypto.createHash('sha1').update(fs.readFileSync(file)).digest('hex');
    for (let i = 0; i < files.length; i++) {
      for (let j = i + 1; j < files.length; j++) {
        const distance = hamming(hashes[i], hashes[j]);
        if (digest(files[i]) === digest(files[j])) expect(distance).toBe(0);
        else expect(distance, `${files[i]} vs ${files[j]}`).toBeGreaterThan(12);
      }
    }
  });

  it('hashes a flat image to 0, whatever its colour', async () => {
    for (const background of [
      { r: 255, g: 255, b: 255 },
      { r: 12, g: 200, b: 90 },
    ]) {
      const png = await sharp({ create: { width: 64, height: 48, channels: 3, background } })
        .png()
        .toBuffer();
      expect(await hashOf(png)).toEqual({ hi: 0, lo: 0 });
    }
  });

  it('writes and reads 16 hex digits; popcount and hamming count bits', () => {
    const hash = { hi: 0x8000_0001, lo: 0xffff_ffff };
    expect(hashHex(hash)).toBe('80000001ffffffff');
    expect(parseHashHex('80000001ffffffff')).toEqual(hash);
    expect(() => parseHashHex('xyz')).toThrow(/hex/);
    expect(popcount32(0xffff_ffff)).toBe(32);
    expect(popcount32(0)).toBe(0);
    expect(hamming(hash, { hi: 0, lo: 0 })).toBe(34);
  });
});
