import { quantileSorted } from './quantile';
import { seededRandom } from '@/lib/random';

export interface BootstrapOptions {
  /** Number of resamples; 1000 by default. */
  iterations?: number;
  /** PRNG seed; 1 by default, so intervals are reproducible. */
  seed?: number;
  /** Coverage of the interval; 0.95 by default. */
  level?: number;
}

export interface Interval {
  low: number;
  high: number;
}

/**
 * Percentile bootstrap interval for `statistic`: resample `units` with replacement, recompute,
 * and take the central `level` share of the estimates. Resamples where the statistic is
 * undefined (null or not finite, e.g. every unit in one category) are skipped rather than
 * counted as zero. Null when there are fewer than 2 units (nothing to resample) or no resample
 * gave a value.
 *
 * Each resample draws exactly units.length random numbers, so two statistics bootstrapped over
 * the same units with the same seed see the same resamples.
 */
export function bootstrapCi<T>(
  units: readonly T[],
  statistic: (sample: T[]) => number | null,
  options: BootstrapOptions = {},
): Interval | null {
  const { iterations = 1000, seed = 1, level = 0.95 } = options;
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new RangeError(`iterations must be a positive integer, got ${iterations}`);
  }
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);

  const n = units.length;
  if (n < 2) return null;

  const random = seededRandom(seed);
  const estimates: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const sample = new Array<T>(n);
    for (let j = 0; j < n; j++) sample[j] = units[Math.floor(random() * n)];
    const value = statistic(sample);
    if (value !== null && Number.isFinite(value)) estimates.push(value);
  }
  if (estimates.length === 0) return null;

  estimates.sort((x, y) => x - y);
  const tail = (1 - level) / 2;
  return { low: quantileSorted(estimates, tail), high: quantileSorted(estimates, 1 - tail) };
}
