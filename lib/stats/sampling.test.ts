import { describe, expect, it } from 'vitest';
import { seededSample, seededSampleIds, seededShuffle } from './sampling';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Pearson's χ² statistic of observed counts against equal expected counts. */
function chiSquare(counts: readonly number[]): number {
  const expected = counts.reduce((sum, c) => sum + c, 0) / counts.length;
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}

// Upper 0.1% points of χ² (any χ² table): failing these by chance is a 1-in-1000 event, and the
// seeds are fixed, so the tests are deterministic.
const CHI2_999 = { 9: 27.877, 19: 43.82 };

describe('seededSample', () => {
  const letters = [...'abcdefghij'];

  it('is reproducible for the same seed and differs across seeds', () => {
    expect(seededSample(letters, 4, 42)).toEqual(seededSample(letters, 4, 42));
    expect(seededSample(letters, 4, 42)).not.toEqual(seededSample(letters, 4, 43));
  });

  it('draws k distinct items without modifying the input', () => {
    const copy = [...letters];
    const sample = seededSample(letters, 6, 1);
    expect(sample).toHaveLength(6);
    expect(new Set(sample).size).toBe(6);
    sample.forEach((x) => expect(letters).toContain(x));
    expect(letters).toEqual(copy);
  });

  it('returns a permutation of everything when k ≥ n, and nothing for k = 0', () => {
    expect([...seededSample(letters, 50, 3)].sort()).toEqual(letters);
    expect(seededSample(letters, 0, 3)).toEqual([]);
    expect(seededSample([], 5, 3)).toEqual([]);
  });

  it('includes every element equally often over many seeds', () => {
    const counts = new Array<number>(10).fill(0);
    for (let seed = 0; seed < 3000; seed++) for (const i of seededSample(range(10), 3, seed)) counts[i]++;
    counts.forEach((c) => expect(c).toBeGreaterThan(0));
    expect(chiSquare(counts)).toBeLessThan(CHI2_999[9]);
  });

  it('puts every element first equally often (the order is random too)', () => {
    const firsts = new Array<number>(10).fill(0);
    for (let seed = 0; seed < 3000; seed++) firsts[seededSample(range(10), 3, seed)[0]]++;
    expect(chiSquare(firsts)).toBeLessThan(CHI2_999[9]);
  });

  it('makes the sample for a smaller k a prefix of the one for a larger k', () => {
    expect(seededSample(letters, 7, 9).slice(0, 3)).toEqual(seededSample(letters, 3, 9));
  });

  it('rejects a negative or fractional k', () => {
    expect(() => seededSample(letters, -1, 1)).toThrow(RangeError);
    expect(() => seededSample(letters, 1.5, 1)).toThrow(RangeError);
  });
});

describe('seededShuffle', () => {
  it('permutes reproducibly', () => {
    const items = range(20);
    const shuffled = seededShuffle(items, 5);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
    expect(shuffled).not.toEqual(items);
    expect(seededShuffle(items, 5)).toEqual(shuffled);
    expect(seededShuffle(items, 6)).not.toEqual(shuffled);
  });

  it('sends each item to each position equally often', () => {
    const atLast = new Array<number>(10).fill(0);
    for (let seed = 0; seed < 3000; seed++) atLast[seededShuffle(range(10), seed)[9]]++;
    expect(chiSquare(atLast)).toBeLessThan(CHI2_999[9]);
  });
});

describe('seededSampleIds', () => {
  it('agrees with seededSample over 0…count−1', () => {
    expect(seededSampleIds(1000, 25, 11)).toEqual(seededSample(range(1000), 25, 11));
  });

  it('draws k distinct in-range ids from a 1.5M population reproducibly', () => {
    const ids = seededSampleIds(1_500_000, 2000, 2024);
    expect(ids).toHaveLength(2000);
    expect(new Set(ids).size).toBe(2000);
    ids.forEach((id) => {
      expect(Number.isInteger(id)).toBe(true);
      expect(id).toBeGreaterThanOrEqual(0);
      expect(id).toBeLessThan(1_500_000);
    });
    expect(seededSampleIds(1_500_000, 2000, 2024)).toEqual(ids);
    expect(seededSampleIds(1_500_000, 2000, 2025)).not.toEqual(ids);
    // Uniform on [0, 1.5M): mean 750 000, standard error 1.5M/√12/√2000 ≈ 9 682; allow 5 SE.
    const mean = ids.reduce((sum, id) => sum + id, 0) / ids.length;
    expect(Math.abs(mean - 750_000)).toBeLessThan(5 * 9682);
    // Even spread over 20 equal slices of the id range.
    const slices = new Array<number>(20).fill(0);
    ids.forEach((id) => slices[Math.floor(id / 75_000)]++);
    expect(chiSquare(slices)).toBeLessThan(CHI2_999[19]);
  });

  it('includes every id equally often over many seeds', () => {
    const counts = new Array<number>(20).fill(0);
    for (let seed = 0; seed < 4000; seed++) for (const i of seededSampleIds(20, 5, seed)) counts[i]++;
    expect(chiSquare(counts)).toBeLessThan(CHI2_999[19]);
  });

  it('returns a permutation of all ids when k ≥ count', () => {
    expect([...seededSampleIds(7, 100, 1)].sort((a, b) => a - b)).toEqual(range(7));
    expect(seededSampleIds(0, 3, 1)).toEqual([]);
  });
});
