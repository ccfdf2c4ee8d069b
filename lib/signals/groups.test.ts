import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random';
import { groupHashes, groupHashesAsync } from './groups';
import { hamming } from './phash';

/** Hashes as a BigUint64Array from [hi, lo] pairs (the layout groupHashes reads). */
function table(pairs: [number, number][]): BigUint64Array {
  const out = new BigUint64Array(pairs.length);
  const words = new Uint32Array(out.buffer);
  pairs.forEach(([hi, lo], i) => {
    words[2 * i + 1] = hi >>> 0;
    words[2 * i] = lo >>> 0;
  });
  return out;
}

const u32 = (random: () => number) => Math.floor(random() * 2 ** 32) >>> 0;

/** The hash with `count` distinct random bits flipped. */
function flip([hi, lo]: [number, number], count: number, random: () => number): [number, number] {
  const bits = new Set<number>();
  while (bits.size < count) bits.add(Math.floor(random() * 64));
  for (const bit of bits) {
    if (bit < 32) lo = (lo ^ (1 << bit)) >>> 0;
    else hi = (hi ^ (1 << (bit - 32))) >>> 0;
  }
  return [hi, lo];
}

/** Groups as sorted arrays of indices (size >= 2), sorted. */
function groupsOf(root: Uint32Array): number[][] {
  const byRoot = new Map<number, number[]>();
  root.forEach((r, i) => byRoot.set(r, [...(byRoot.get(r) ?? []), i]));
  return [...byRoot.values()].filter((g) => g.length > 1).sort((a, b) => a[0] - b[0]);
}

const asHash = ([hi, lo]: [number, number]) => ({ hi, lo });

describe('groupHashes', () => {
  it('finds planted groups among random hashes and merges nothing else', () => {
    const random = seededRandom(42);
    const pairs: [number, number][] = Array.from({ length: 30_000 }, () => [u32(random), u32(random)]);
    const planted: number[][] = [];
    for (let g = 0; g < 80; g++) {
      const center: [number, number] = [u32(random), u32(random)];
      const members = [pairs.length];
      pairs.push(center);
      // Each member 1-3 bits from the centre: pairwise <= 6, and each shares a band with the centre.
      for (let m = 1 + Math.floor(random() * 5); m > 0; m--) {
        members.push(pairs.length);
        pairs.push(flip(center, 1 + Math.floor(random() * 3), random));
      }
      planted.push(members);
    }
    const { root, comparisons } = groupHashes(table(pairs), { maxDistance: 6 });
    expect(groupsOf(root)).toEqual(planted.map((g) => [...g].sort((a, b) => a - b)).sort((a, b) => a[0] - b[0]));
    // Banding compares a tiny share of the 4.5e8 pairs.
    expect(comparisons).toBeLessThan(200_000);
  });

  it('always joins hashes at most 3 bits apart, and never ones beyond the threshold', () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 300; trial++) {
      const a: [number, number] = [u32(random), u32(random)];
      const near = flip(a, 1 + (trial % 3), random);
      expect(groupsOf(groupHashes(table([a, near])).root)).toEqual([[0, 1]]);
    }
    // 7 bits apart, all in the low band, so the other three bands are equal: compared, and refused.
    const a: [number, number] = [0x12345678, 0x9abcdef0];
    const far: [number, number] = [a[0], (a[1] ^ 0x7f) >>> 0];
    expect(hamming(asHash(a), asHash(far))).toBe(7);
    expect(groupsOf(groupHashes(table([a, far])).root)).toEqual([]);
    expect(groupsOf(groupHashes(table([a, far]), { maxDistance: 7 }).root)).toEqual([[0, 1]]);
  });

  it('joins crowds of equal hashes (blank images) and keeps every link within the threshold when a bucket is truncated', () => {
    const random = seededRandom(9);
    const pairs: [number, number][] = Array.from({ length: 5000 }, () => [0, 0]);
    for (let i = 0; i < 10; i++) pairs.push(flip([0, 0], 1, random));
    const crowd = groupHashes(table(pairs), { maxBucket: 100 });
    expect(groupsOf(crowd.root)).toHaveLength(1);
    expect(groupsOf(crowd.root)[0]).toHaveLength(pairs.length);
    expect(crowd.truncatedBuckets).toBe(0);

    // 200 distinct hashes in one band bucket (the same low 16 bits) with a window of 8.
    const many: [number, number][] = Array.from({ length: 200 }, () => [u32(random), (u32(random) & 0xffff0000) >>> 0]);
    for (let i = 0; i < 20; i++) many.push(flip(many[i], 2, random));
    const truncated = groupHashes(table(many), { maxBucket: 8 });
    expect(truncated.truncatedBuckets).toBeGreaterThan(0);
    for (const group of groupsOf(truncated.root)) {
      for (const i of group) {
        const linked = group.some((j) => j !== i && hamming(asHash(many[i]), asHash(many[j])) <= 6);
        expect(linked).toBe(true);
      }
    }
  });

  it('gives the same groups when run in steps (groupHashesAsync)', async () => {
    const random = seededRandom(11);
    const pairs: [number, number][] = Array.from({ length: 5000 }, () => [u32(random), u32(random)]);
    for (let i = 0; i < 500; i++) pairs.push(flip(pairs[i], 1 + (i % 3), random));
    const hashes = table(pairs);
    expect(Array.from((await groupHashesAsync(hashes)).root)).toEqual(Array.from(groupHashes(hashes).root));
  });

  it('handles no hashes and one hash', () => {
    expect(groupHashes(new BigUint64Array(0)).root).toHaveLength(0);
    expect(Array.from(groupHashes(table([[1, 2]])).root)).toEqual([0]);
  });
});
