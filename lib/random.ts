/**
 * A seeded PRNG (mulberry32) returning floats in [0, 1). Math.random cannot be seeded, and
 * Loupe needs repeatable randomness (bootstrap intervals, injected faults, generated bench
 * data): the same seed always gives the same sequence.
 * The seed is used as an unsigned 32-bit integer (fractions are dropped).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
