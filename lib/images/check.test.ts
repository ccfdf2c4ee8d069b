import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemp, SAMPLES_DIR, tempDir } from '@/lib/test/factories';
import { bufferSource, checkImage, HEAD_BYTES, type ByteSource } from './check';
import { fdSource } from './open';
import { bombPng, gifWithoutTrailer, SVG_WITH_SCRIPT, truncatedJpeg, webpWithWrongRiffSize, writeSparseFile } from '@/lib/test/images';

const SAMPLE = path.join(SAMPLES_DIR, 'omniedit/style/input/00000004.png');

afterAll(cleanupTemp);

const check = (bytes: Buffer) => checkImage(bufferSource(bytes));

/** A byte source that counts what it reads. */
function counting(source: ByteSource) {
  const counted = { ...source, bytesRead: 0 };
  counted.read = (position, length) => {
    const bytes = source.read(position, length);
    counted.bytesRead += bytes.length;
    return bytes;
  };
  return counted;
}

describe('checkImage', () => {
  it('accepts whole PNG, JPEG, WebP and GIF files, with their size and type from their bytes', async () => {
    const png = fs.readFileSync(SAMPLE);
    const { width, height } = await sharp(png).metadata();
    expect(check(png)).toEqual({ width, height, format: 'png' });
    expect(check(await sharp(png).jpeg().toBuffer())).toEqual({ width, height, format: 'jpg' });
    expect(check(await sharp(png).webp().toBuffer())).toEqual({ width, height, format: 'webp' });
    expect(check(await sharp(png).webp({ lossless: true }).toBuffer())).toEqual({ width, height, format: 'webp' });
    expect(check(await sharp(png).gif().toBuffer())).toEqual({ width, height, format: 'gif' });
  });

  it('finds a JPEG size marker behind a large EXIF block without reading the file whole', async () => {
    const comment = 'x'.repeat(60_000); // one 60 KB APP segment before the size marker
    const jpeg = await sharp(SAMPLE)
      .jpeg()
      .withExif({ IFD0: { ImageDescription: comment } })
      .toBuffer();
    expect(jpeg.indexOf(Buffer.from([0xff, 0xc0]))).toBeGreaterThan(60_000); // the size marker, far past the head
    const source = counting(bufferSource(jpeg));
    expect(checkImage(source)).toEqual({ format: 'jpg', width: 600, height: 400 });
    expect(source.bytesRead).toBeLessThan(HEAD_BYTES + 1000);
  });

  it('refuses a truncated JPEG made from a real sample', async () => {
    const truncated = await truncatedJpeg(SAMPLE);
    expect(truncated.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(() => check(truncated)).toThrow('truncated JPEG (no end-of-image marker)');
  });

  it('refuses a JPEG with bytes after its end-of-image marker', async () => {
    const jpeg = await sharp(SAMPLE).jpeg().toBuffer();
    expect(() => check(Buffer.concat([jpeg, Buffer.alloc(64)]))).toThrow('truncated JPEG (no end-of-image marker)');
  });

  it('refuses a 30000x30000 PNG (a decompression bomb of a few hundred bytes) by its header', () => {
    const bomb = bombPng(30_000, 30_000);
    expect(bomb.length).toBeLessThan(2000);
    expect(() => check(bomb)).toThrow('image is 30000x30000, over the 100-megapixel limit');
  });

  it('takes the pixel limit from LOUPE_MAX_IMAGE_PIXELS', () => {
    const png = bombPng(2000, 1000);
    expect(check(png)).toEqual({ width: 2000, height: 1000, format: 'png' });
    process.env.LOUPE_MAX_IMAGE_PIXELS = '1000000';
    try {
      expect(() => check(png)).toThrow('image is 2000x1000, over the 1-megapixel limit');
    } finally {
      delete process.env.LOUPE_MAX_IMAGE_PIXELS;
    }
  });

  it('refuses a PNG cut short, with a corrupt header, or with data after IEND', async () => {
    const png = await sharp(SAMPLE).png().toBuffer();
    expect(() => check(png.subarray(0, png.length - 100))).toThrow('truncated PNG');
    expect(() => check(png.subarray(0, 2000))).toThrow(/^truncated PNG/);
    const corrupt = Buffer.from(png);
    corrupt[20] ^= 0xff; // a byte of the height
    expect(() => check(corrupt)).toThrow('PNG header chunk (IHDR) is corrupt (bad CRC)');
    expect(() => check(Buffer.concat([png, Buffer.from('<html>')]))).toThrow(/PNG/);
  });

  it('refuses SVG and HTML whatever their name, and names other image types it does not take', async () => {
    expect(() => check(SVG_WITH_SCRIPT)).toThrow('SVG is not an accepted image type');
    expect(() => check(Buffer.from('\uFEFF  <svg xmlns="http://www.w3.org/2000/svg"/>'))).toThrow('SVG is not an accepted image type');
    expect(() => check(Buffer.from('<!DOCTYPE html><html><body>hi</body></html>'))).toThrow('HTML is not an image');
    const tiff = await sharp(SAMPLE).tiff().toBuffer();
    expect(() => check(tiff)).toThrow('TIFF is not an accepted image type (PNG, JPEG, WebP or GIF)');
    expect(() => check(Buffer.from('this is text, not a PNG\n'))).toThrow('not a decodable image');
    expect(() => check(Buffer.alloc(0))).toThrow('empty file');
  });

  it('refuses a WebP whose RIFF size does not match the file, and a GIF without its trailer', async () => {
    const cutOff = await webpWithWrongRiffSize(SAMPLE);
    expect(() => check(cutOff)).toThrow(/^truncated WebP \(its RIFF header says \d+ bytes, the file has \d+\)$/);
    const webp = await sharp(SAMPLE).webp().toBuffer();
    expect(() => check(Buffer.concat([webp, Buffer.alloc(10)]))).toThrow(/^WebP RIFF size \(\d+ bytes\) does not match the file/);
    const gif = await gifWithoutTrailer(SAMPLE);
    expect(() => check(gif)).toThrow('truncated GIF (no trailer at the end)');
  });

  it('reads only a bounded head and tail of a sparse 1 GB file named .png', async () => {
    const dir = tempDir('loupe-check-');
    const cases: [string, Buffer | undefined, string][] = [
      ['zeros.png', undefined, 'not a decodable image'],
      ['png-head.png', (await sharp(SAMPLE).png().toBuffer()).subarray(0, 5000), 'truncated PNG'],
      ['jpeg-head.png', (await sharp(SAMPLE).jpeg().toBuffer()).subarray(0, 5000), 'truncated JPEG (no end-of-image marker)'],
    ];
    for (const [name, head, reason] of cases) {
      const file = path.join(dir, name);
      writeSparseFile(file, 1024 ** 3, head);
      const fd = fs.openSync(file, 'r');
      try {
        const source = counting(fdSource(fd, fs.fstatSync(fd).size));
        expect(() => checkImage(source), name).toThrow(reason);
        expect(source.bytesRead, name).toBeLessThanOrEqual(HEAD_BYTES + 64);
      } finally {
        fs.closeSync(fd);
      }
    }
  });
});
