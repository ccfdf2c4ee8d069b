import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pngBuffer } from '@/lib/test/factories';
import { downloadImage, forEachLimited } from './download';
import { startTestServer, type TestServer } from '@/lib/test/image-host';

let server: TestServer;
let png: Buffer;

beforeAll(async () => {
  png = await pngBuffer(20, 10);
  server = await startTestServer({
    '/a.png': { type: 'image/png', body: png },
    // The content-type gates; the extension comes from the bytes.
    '/photo': { type: 'image/jpeg; charset=binary', body: png },
    '/page.html': { type: 'text/html', body: '<html></html>' },
    '/fake.png': { type: 'image/png', body: 'not really a png' },
    '/drawing.svg': { type: 'image/svg+xml', body: '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>' },
    '/error': { status: 500, type: 'text/plain', body: 'oops' },
    '/slow': { hang: true },
    '/huge.png': { type: 'image/png', body: png.subarray(0, 100), declaredLength: 60 * 1024 * 1024 },
  });
});

afterAll(() => server.close());

describe('downloadImage', () => {
  it('returns the bytes of an image and its type from its header', async () => {
    expect(await downloadImage(server.url('/a.png'))).toEqual({ bytes: png, extension: 'png' });
    expect((await downloadImage(server.url('/photo'))).extension).toBe('png');
  });

  it('refuses HTTP errors, non-image content types and bytes that are no image', async () => {
    await expect(downloadImage(server.url('/missing.png'))).rejects.toThrow('HTTP 404');
    await expect(downloadImage(server.url('/error'))).rejects.toThrow('HTTP 500');
    await expect(downloadImage(server.url('/page.html'))).rejects.toThrow('not an image (content-type text/html)');
    await expect(downloadImage(server.url('/fake.png'))).rejects.toThrow('not a decodable image');
    await expect(downloadImage(server.url('/drawing.svg'))).rejects.toThrow('SVG is not an accepted image type');
  });

  it('refuses more than the size cap, declared or streamed', async () => {
    await expect(downloadImage(server.url('/huge.png'))).rejects.toThrow('larger than 50 MB');
    await expect(downloadImage(server.url('/a.png'), { maxBytes: 50 })).rejects.toThrow('larger than 50 bytes');
  });

  it('times out', async () => {
    await expect(downloadImage(server.url('/slow'), { timeoutMs: 200 })).rejects.toThrow('timed out after 0.2 s');
  });

  it('reports a server that cannot be reached', async () => {
    const closed = await startTestServer({});
    const url = closed.url('/a.png');
    await closed.close();
    await expect(downloadImage(url)).rejects.toThrow('ECONNREFUSED');
  });
});

describe('forEachLimited', () => {
  it('runs every item with at most `limit` in flight', async () => {
    let inFlight = 0;
    let max = 0;
    const done: number[] = [];
    await forEachLimited([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 4, async (n) => {
      max = Math.max(max, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      done.push(n);
    });
    expect(done.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(max).toBe(4);
  });
});
