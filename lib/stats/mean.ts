/** Confidence intervals for a mean (e.g. an average score or latency over audited items). */
import { assertConfidence, studentTQuantile } from './distributions';

export interface MeanInterval {
  mean: number;
  /** Null when n < 2: one value says nothing about the spread. */
  low: number | null;
  high: number | null;
  n: number;
}

/**
 * The Student t confidence interval for a mean, x̄ ± t_{1−α/2, n−1} · s/√n, with s the sample
 * standard deviation (n − 1 denominator). Assumes independent values from a roughly normal
 * distribution, or n large enough for the central limit theorem.
 * Reference: "Student" (1908), Biometrika 6(1), 1–25; NIST/SEMATECH e-Handbook of Statistical
 * Methods, §7.2.2.1.
 * Returns null for no values, and { mean, low: null, high: null, n: 1 } for a single value.
 * Throws a RangeError for a non-finite value or a confidence outside (0, 1).
 */
export function meanInterval(values: readonly number[], confidence = 0.95): MeanInterval | null {
  assertConfidence(confidence);
  if (values.some((v) => !Number.isFinite(v))) throw new RangeError('values must be finite numbers');
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((sum, v) => sum + v, 0) / n;
  if (n < 2) return { mean, low: null, high: null, n };
  const sumOfSquares = values.reduce((sum, v) => sum + (v - mean) ** 2, 0);
  const standardError = Math.sqrt(sumOfSquares / (n - 1) / n);
  const halfWidth = studentTQuantile(1 - (1 - confidence) / 2, n - 1) * standardError;
  return { mean, low: mean - halfWidth, high: mean + halfWidth, n };
}
