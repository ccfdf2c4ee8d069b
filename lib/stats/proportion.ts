/**
 * Intervals and sample sizes for proportions: the share of audited items that are wrong, the
 * precision of a spot-audit, and how many items to draw from each stratum.
 */
import { assertConfidence, twoSidedZ } from './distributions';

export { normalQuantile } from './distributions';

export interface ProportionInterval {
  estimate: number;
  low: number;
  high: number;
}

export interface StratumResult {
  /** Items in the stratum's population (N_h). */
  size: number;
  /** Audited items found to have the property. */
  successes: number;
  /** Audited items (n_h). */
  n: number;
}

export interface StratifiedProportion extends ProportionInterval {
  /** Audited items across the strata that count (Σ n_h). */
  n: number;
  /** The effective sample size the interval was computed with (see stratifiedProportion). */
  nEffective: number;
}

/**
 * The Wilson score interval for successes/n (null when n = 0), computed for a possibly
 * fractional n so the stratified estimate can reuse it with an effective sample size.
 */
function wilsonFromRate(rate: number, n: number, z: number): { low: number; high: number } {
  const z2n = (z * z) / n;
  const centre = (rate + z2n / 2) / (1 + z2n);
  const halfWidth = (z / (1 + z2n)) * Math.sqrt((rate * (1 - rate)) / n + z2n / (4 * n));
  // At rate 0 (or 1) the bound is exactly 0 (or 1); clamp away rounding error.
  return {
    low: rate === 0 ? 0 : Math.max(0, centre - halfWidth),
    high: rate === 1 ? 1 : Math.min(1, centre + halfWidth),
  };
}

/**
 * The Wilson score interval for a binomial proportion: null when n = 0. Unlike the Wald
 * interval p ± z·√(p(1−p)/n) it stays inside [0, 1] and keeps near-nominal coverage for small n
 * and for p near 0 or 1 — the usual case for error rates found by a spot-audit.
 * References: E. B. Wilson (1927), JASA 22, 209–212; R. G. Newcombe (1998), "Two-sided
 * confidence intervals for the single proportion", Statistics in Medicine 17, 857–872 (method 3).
 * Throws a RangeError unless 0 ≤ successes ≤ n (integers not required) and 0 < confidence < 1.
 */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): ProportionInterval | null {
  if (!(n >= 0) || !(successes >= 0) || successes > n) {
    throw new RangeError(`need 0 ≤ successes ≤ n, got ${successes}/${n}`);
  }
  const z = twoSidedZ(confidence);
  if (n === 0) return null;
  const estimate = successes / n;
  return { estimate, ...wilsonFromRate(estimate, n, z) };
}

/**
 * A stratified estimate of a population proportion, with a Wilson interval computed from the
 * effective sample size. Null when no stratum was sampled.
 *
 * Method:
 * - Strata with n_h = 0 carry no information and are dropped; the weights of the remaining
 *   strata are renormalised, W_h = N_h / Σ N_h over sampled strata only. The estimate therefore
 *   describes the sampled strata's population, not the unsampled ones.
 * - Estimate p = Σ W_h p_h with p_h = successes_h / n_h (the standard stratified estimator;
 *   Cochran, Sampling Techniques, 3rd ed., 1977, §5.3 and §5.8).
 * - Var(p) = Σ W_h² (1 − n_h/N_h) p_h(1 − p_h) / n_h: the binomial variance with the finite
 *   population correction. (p_h(1−p_h)/n_h rather than /(n_h − 1), so a single stratum from an
 *   infinite population reproduces wilsonInterval exactly.)
 * - n_eff = p(1 − p) / Var(p), and the Wilson interval for rate p with n_eff trials: the
 *   "Wilson with effective sample size" interval of E. L. Korn & B. I. Graubard (1998), Survey
 *   Methodology 24(2), 193–201, evaluated by N. Dean & M. Pagano (2015), Statistical Science
 *   30(1), which found it to keep close to nominal coverage.
 * - When Var(p) = 0 — every sampled stratum is 0% or 100%, or was audited in full — n_eff
 *   falls back to Σ n_h: the plain Wilson interval as if the audit were one simple random
 *   sample, so an all-clean audit still reports a non-zero upper bound.
 * Throws a RangeError when a stratum has successes > n, n > size, or negative counts.
 */
export function stratifiedProportion(strata: readonly StratumResult[], confidence = 0.95): StratifiedProportion | null {
  assertConfidence(confidence);
  for (const s of strata) {
    if (!(s.successes >= 0 && s.successes <= s.n && s.n <= s.size)) {
      throw new RangeError(`need 0 ≤ successes ≤ n ≤ size, got ${s.successes}/${s.n} of ${s.size}`);
    }
  }
  const sampled = strata.filter((s) => s.n > 0);
  const totalSize = sampled.reduce((sum, s) => sum + s.size, 0);
  if (sampled.length === 0 || totalSize === 0) return null;

  let estimate = 0;
  let variance = 0;
  let n = 0;
  for (const s of sampled) {
    const weight = s.size / totalSize;
    const rate = s.successes / s.n;
    estimate += weight * rate;
    variance += (weight * weight * (1 - s.n / s.size) * rate * (1 - rate)) / s.n;
    n += s.n;
  }
  estimate = Math.min(1, Math.max(0, estimate));
  const nEffective = variance > 0 ? (estimate * (1 - estimate)) / variance : n;
  return { estimate, ...wilsonFromRate(estimate, nEffective, twoSidedZ(confidence)), n, nEffective };
}

export interface SampleSizeOptions {
  /** Two-sided confidence level; default 0.95. */
  confidence?: number;
  /** Anticipated proportion; default 0.5, the most conservative choice. */
  expected?: number;
  /** Population size N for the finite population correction; omit for an infinite population. */
  population?: number;
}

/**
 * The simple-random-sample size needed to estimate a proportion to within ±margin.
 * Method: Cochran's n₀ = z²·p(1 − p)/e², then the finite population correction
 * n = n₀ / (1 + (n₀ − 1)/N), rounded up (and never above N). Reference: W. G. Cochran,
 * Sampling Techniques, 3rd ed. (1977), §4.4 (equations 4.2 and 4.3).
 * Throws a RangeError unless 0 < margin < 1, 0 < expected < 1, 0 < confidence < 1 and
 * population ≥ 0. A population of 0 needs 0 items.
 */
export function sampleSizeForMargin(margin: number, options: SampleSizeOptions = {}): number {
  const { confidence = 0.95, expected = 0.5, population } = options;
  if (!(margin > 0 && margin < 1)) throw new RangeError(`margin must be in (0, 1), got ${margin}`);
  if (!(expected > 0 && expected < 1)) throw new RangeError(`expected must be in (0, 1), got ${expected}`);
  const z = twoSidedZ(confidence);
  const n0 = (z * z * expected * (1 - expected)) / (margin * margin);
  if (population === undefined) return Math.ceil(n0);
  if (!(population >= 0)) throw new RangeError(`population must be ≥ 0, got ${population}`);
  if (population === 0) return 0;
  return Math.min(population, Math.ceil(n0 / (1 + (n0 - 1) / population)));
}

export type AllocationSpec =
  { mode: 'fixed'; perStratum: number } | { mode: 'margin'; margin: number; confidence?: number; expected?: number };

/**
 * How many items to audit in each stratum, keyed by stratum key; never more than the stratum
 * holds.
 * - 'fixed': min(perStratum, size) per stratum.
 * - 'margin': each stratum gets its own sampleSizeForMargin(margin, { confidence, expected,
 *   population: size }), i.e. enough for *that stratum's* rate to be within ±margin. This is
 *   per-stratum precision, not an allocation for the pooled estimate (which then ends up more
 *   precise than ±margin); small strata are audited nearly or entirely in full.
 * Throws a RangeError for a negative perStratum or size, or a duplicate key.
 */
export function allocateSample(strata: readonly { key: string; size: number }[], spec: AllocationSpec): Map<string, number> {
  const allocation = new Map<string, number>();
  for (const { key, size } of strata) {
    if (allocation.has(key)) throw new RangeError(`duplicate stratum key ${key}`);
    if (!(size >= 0)) throw new RangeError(`stratum ${key} has size ${size}`);
    allocation.set(key, spec.mode === 'fixed' ? fixedAllocation(spec.perStratum, size) : marginAllocation(spec, size));
  }
  return allocation;
}

function fixedAllocation(perStratum: number, size: number): number {
  if (!(perStratum >= 0)) throw new RangeError(`perStratum must be ≥ 0, got ${perStratum}`);
  return Math.min(Math.floor(perStratum), size);
}

function marginAllocation(spec: Extract<AllocationSpec, { mode: 'margin' }>, size: number): number {
  const { margin, confidence, expected } = spec;
  return sampleSizeForMargin(margin, { confidence, expected, population: size });
}
