/**
 * Reproducible random sampling for spot-audits: the same (population order, k, seed) always
 * gives the same sample, so an audit can be re-drawn and checked later.
 */
import { seededRandom } from '@/lib/random';

/** 2³²: seededRandom returns integers / 2³², so rand() · 2³² is an exact 32-bit integer. */
const TWO_POW_32 = 4294967296;

/**
 * A uniform integer in [0, m) for 1 ≤ m ≤ 2³², exactly unbiased: rejection of the top partial
 * block of 32-bit values ("debiased modulo"; D. Lemire (2019), "Fast random integer generation
 * in an interval", ACM TOMACS 29(1), discusses the method).
 */
function randomBelow(rand: () => number, m: number): number {
  const limit = TWO_POW_32 - (TWO_POW_32 % m);
  for (;;) {
    const x = rand() * TWO_POW_32;
    if (x < limit) return x % m;
  }
}

function assertCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
}

/**
 * k items drawn uniformly without replacement (all min(k, n) of them if k ≥ n), in random
 * order; deterministic for (population order, k, seed). The input is not modified.
 * Method: the first k steps of the Fisher–Yates (Durstenfeld) shuffle on a copy. Reference:
 * D. E. Knuth, The Art of Computer Programming vol. 2, §3.4.2, Algorithm P.
 * The same seed gives seededSample(range(n), k, seed) = seededSampleIds(n, k, seed), and the
 * sample for a smaller k is a prefix of the sample for a larger k.
 */
export function seededSample<T>(population: readonly T[], k: number, seed: number): T[] {
  assertCount('k', k);
  const picks = seededSampleIds(population.length, k, seed);
  return picks.map((i) => population[i]);
}

/** A uniformly random permutation of items, deterministic for (items order, seed). */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  return seededSample(items, items.length, seed);
}

/**
 * k distinct indexes drawn uniformly from [0, count) (all of them if k ≥ count), in random
 * order, deterministic for (count, k, seed). Memory is O(k), so a 1.5M-row population never has
 * to be materialised: fetch the rows by index afterwards.
 * Method: partial Fisher–Yates over a virtual array 0…count−1, storing only the swapped
 * positions in a Map (sparse Fisher–Yates). count must be at most 2³².
 */
export function seededSampleIds(count: number, k: number, seed: number): number[] {
  assertCount('count', count);
  assertCount('k', k);
  if (count > TWO_POW_32) throw new RangeError(`count must be at most 2^32, got ${count}`);
  const rand = seededRandom(seed);
  const draws = Math.min(k, count);
  const swapped = new Map<number, number>(); // position → value, for positions no longer holding their own index
  const picks: number[] = new Array(draws);
  for (let i = 0; i < draws; i++) {
    const j = i + randomBelow(rand, count - i);
    const atJ = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(i) ?? i);
    swapped.delete(i); // position i is final; forgetting it keeps the Map at O(k)
    picks[i] = atJ;
  }
  return picks;
}
