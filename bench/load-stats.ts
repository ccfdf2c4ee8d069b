/** Latency summaries shared by the load test's parts. */

import { seededRandom } from '../lib/random';

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles of samples in milliseconds. */
export function summarize(samples: number[]): LatencySummary {
  if (!samples.length) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  let sum = 0;
  for (const x of sorted) sum += x;
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1], mean: sum / sorted.length };
}

/** A deterministic PRNG (mulberry32), so every run makes the same decisions. */
export const rng = seededRandom;

/** 80% accept, 20% reject (with a reason), as in the issue. */
export function decide(random: () => number): { decision: 'accept' | 'reject'; reasons: 'artifacts'[] } {
  return random() < 0.8 ? { decision: 'accept', reasons: [] } : { decision: 'reject', reasons: ['artifacts'] };
}
