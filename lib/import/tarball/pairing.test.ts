import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTemp, tempDir } from '@/lib/test/factories';
import { Pairing, type KnownImage } from './pairing';
import { Scratch } from './scratch';

afterEach(cleanupTemp);

const codec = { encode: (r: string) => r, decode: (t: string) => t, bytes: (r: string) => 100 + r.length };

function pairing(scratch: Scratch, maxWaitingBytes: number) {
  const ready: [string, string, string][] = [];
  const duplicates: string[] = [];
  const refOf = (known: KnownImage<string>) => (known.ok ? known.ref : `refused: ${known.reason}`);
  const p = new Pairing<string, string>({
    scratch,
    codec,
    maxWaitingBytes,
    imageBuffer: 16,
    ready: (record, source, output) => ready.push([record, refOf(source), refOf(output)]),
    duplicate: (key) => duplicates.push(key),
  });
  return { p, ready, duplicates };
}

describe('Pairing', () => {
  it('keeps waiting records in memory up to the cap, parks the rest on disk, and pairs every one', () => {
    const scratch = new Scratch(tempDir('loupe-scratch-'));
    try {
      const { p, ready } = pairing(scratch, 1000);
      const n = 500;
      for (let i = 0; i < n; i++) p.image(`in/${i}`, { ok: true, ref: `stored-in-${i}` }, 'a');
      // Every record before its output (tar --sort=name: input/, metadata/, output/).
      p.records(Array.from({ length: n }, (_, i) => ({ record: `r${i}`, sourceKey: `in/${i}`, outputKey: `out/${i}` })));
      expect(p.waitingCount).toBe(n);
      for (let i = 0; i < n; i++) if (i !== 123) p.image(`out/${i}`, { ok: true, ref: `stored-out-${i}` }, 'a');
      p.writeImages();
      expect(p.peakWaitingBytes).toBeLessThanOrEqual(1000);
      expect(p.peakWaitingBytes).toBeGreaterThan(0);
      expect(ready).toHaveLength(n - 1);
      expect(ready).toContainEqual(['r499', 'stored-in-499', 'stored-out-499']);
      expect([...p.unmatched()]).toEqual([{ record: 'r123', missing: [{ side: 1, key: 'out/123' }] }]);
    } finally {
      scratch.dispose();
    }
    expect(fs.existsSync(scratch.file)).toBe(false);
  });

  it('reports a key seen twice and pairs with the first, in memory or already on disk', () => {
    const scratch = new Scratch(tempDir('loupe-scratch-'));
    try {
      const { p, ready, duplicates } = pairing(scratch, 1 << 20);
      p.image('a', { ok: true, ref: 'first-a' }, 'x');
      p.image('a', { ok: true, ref: 'second-a' }, 'x'); // still in the buffer
      p.image('b', { ok: true, ref: 'first-b' }, 'x');
      p.writeImages();
      p.image('b', { ok: true, ref: 'second-b' }, 'x'); // already on disk
      p.writeImages();
      p.records([{ record: 'r', sourceKey: 'a', outputKey: 'b' }]);
      expect(duplicates).toEqual(['a', 'b']);
      expect(ready).toEqual([['r', 'first-a', 'first-b']]);
    } finally {
      scratch.dispose();
    }
  });
});
