import { describe, expect, it } from 'vitest';
import { seededRandom } from '@/lib/random';
import { allocateSample, normalQuantile, sampleSizeForMargin, stratifiedProportion, wilsonInterval } from './proportion';

describe('wilsonInterval', () => {
  // Newcombe (1998), Statistics in Medicine 17, 857–872, Table I, method 3 (Wilson score).
  it.each([
    [81, 263, 0.308, 0.2553, 0.3662],
    [15, 148, 0.1014, 0.0624, 0.1605],
    [0, 20, 0, 0, 0.1611],
    [1, 29, 0.0345, 0.0061, 0.1718],
  ])('%d/%d → %d [%d, %d]', (x, n, estimate, low, high) => {
    const interval = wilsonInterval(x, n)!;
    expect(interval.estimate).toBeCloseTo(estimate, 4);
    expect(interval.low).toBeCloseTo(low, 4);
    expect(interval.high).toBeCloseTo(high, 4);
  });

  it('has exact 0 and 1 bounds at the extremes', () => {
    // Upper bound for 0/n is z²/(n + z²).
    const z2 = normalQuantile(0.975) ** 2;
    expect(wilsonInterval(0, 10)).toEqual({ estimate: 0, low: 0, high: z2 / (10 + z2) });
    expect(wilsonInterval(0, 10)!.high).toBeCloseTo(0.2775, 4);
    expect(wilsonInterval(10, 10)!.low).toBeCloseTo(0.7225, 4);
    expect(wilsonInterval(10, 10)!.high).toBe(1);
  });

  it('widens with confidence and is null for n = 0', () => {
    const at90 = wilsonInterval(81, 263, 0.9)!;
    const at99 = wilsonInterval(81, 263, 0.99)!;
    expect(at90.high - at90.low).toBeLessThan(at99.high - at99.low);
    expect(wilsonInterval(0, 0)).toBeNull();
  });

  it('rejects impossible counts and confidence levels', () => {
    expect(() => wilsonInterval(11, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 10, 1.2)).toThrow(RangeError);
  });
});

describe('stratifiedProportion', () => {
  // Scheaffer, Mendenhall & Ott, Elementary Survey Sampling, Example 5.6 (households in two
  // towns and a rural area): the published stratified estimate is 0.60.
  const households = [
    { size: 155, n: 20, successes: 16 },
    { size: 62, n: 8, successes: 2 },
    { size: 93, n: 12, successes: 6 },
  ];

  it('reproduces the textbook stratified estimate and the hand-computed n_eff', () => {
    const result = stratifiedProportion(households)!;
    expect(result.estimate).toBeCloseTo(0.6, 12);
    expect(result.n).toBe(40);
    // Var = [155²(135/155)(.16/20) + 62²(54/62)(.1875/8) + 93²(81/93)(.25/12)] / 310²
    const variance =
      (155 ** 2 * (135 / 155) * (0.16 / 20) + 62 ** 2 * (54 / 62) * (0.1875 / 8) + 93 ** 2 * (81 / 93) * (0.25 / 12)) / 310 ** 2;
    expect(variance).toBeCloseTo(0.0041915, 7);
    expect(result.nEffective).toBeCloseTo(0.24 / variance, 9);
    // Wilson for p = 0.6 with n = n_eff ≈ 57.258, computed by hand from the Wilson formula.
    expect(result.low).toBeCloseTo(0.4707, 4);
    expect(result.high).toBeCloseTo(0.7167, 4);
  });

  it('reduces to wilsonInterval for one stratum of an effectively infinite population', () => {
    const result = stratifiedProportion([{ size: 1e15, n: 263, successes: 81 }])!;
    const wilson = wilsonInterval(81, 263)!;
    expect(result.estimate).toBeCloseTo(wilson.estimate, 12);
    expect(result.low).toBeCloseTo(wilson.low, 9);
    expect(result.high).toBeCloseTo(wilson.high, 9);
  });

  it('skips unsampled strata and renormalises the weights', () => {
    const withEmpty = stratifiedProportion([...households, { size: 10_000, n: 0, successes: 0 }]);
    expect(withEmpty).toEqual(stratifiedProportion(households));
    expect(stratifiedProportion([{ size: 50, n: 0, successes: 0 }])).toBeNull();
    expect(stratifiedProportion([])).toBeNull();
  });

  it('falls back to n_eff = Σ n_h when every stratum is 0% or 100%', () => {
    const clean = stratifiedProportion([
      { size: 1000, n: 10, successes: 0 },
      { size: 3000, n: 20, successes: 0 },
    ])!;
    expect(clean.estimate).toBe(0);
    expect(clean.nEffective).toBe(30);
    expect(clean).toMatchObject({ low: 0, high: wilsonInterval(0, 30)!.high });

    const mixed = stratifiedProportion([
      { size: 1000, n: 10, successes: 0 },
      { size: 3000, n: 20, successes: 20 },
    ])!;
    expect(mixed.estimate).toBeCloseTo(0.75, 12);
    expect(mixed.nEffective).toBe(30);
    expect(mixed.low).toBeGreaterThan(0);
    expect(mixed.high).toBeLessThan(1);
  });

  it('narrows with the finite population correction', () => {
    const small = stratifiedProportion([{ size: 100, n: 50, successes: 10 }])!;
    const large = stratifiedProportion([{ size: 1e9, n: 50, successes: 10 }])!;
    expect(small.high - small.low).toBeLessThan(large.high - large.low);
    // fpc = 1/2 doubles the effective sample size.
    expect(small.nEffective).toBeCloseTo(100, 9);
  });

  it('covers the true rate about 95% of the time in a simulated stratified audit', () => {
    const rand = seededRandom(7);
    const strata = [
      { size: 5000, n: 40, rate: 0.02 },
      { size: 20000, n: 40, rate: 0.1 },
      { size: 2000, n: 30, rate: 0.3 },
    ];
    const total = strata.reduce((sum, s) => sum + s.size, 0);
    const truth = strata.reduce((sum, s) => sum + (s.size / total) * s.rate, 0);
    let covered = 0;
    const runs = 2000;
    for (let run = 0; run < runs; run++) {
      const result = stratifiedProportion(
        strata.map((s) => {
          let successes = 0;
          for (let i = 0; i < s.n; i++) if (rand() < s.rate) successes++; // n ≪ N: binomial ≈ hypergeometric
          return { size: s.size, n: s.n, successes };
        }),
      )!;
      if (result.low <= truth && truth <= result.high) covered++;
    }
    expect(covered / runs).toBeGreaterThan(0.92);
    expect(covered / runs).toBeLessThan(0.98);
  });

  it('rejects inconsistent strata', () => {
    expect(() => stratifiedProportion([{ size: 10, n: 20, successes: 1 }])).toThrow(RangeError);
    expect(() => stratifiedProportion([{ size: 10, n: 5, successes: 6 }])).toThrow(RangeError);
  });
});

describe('sampleSizeForMargin', () => {
  // Cochran (1977) §4.4; the same numbers appear in most sample-size tables (e.g. ±5% → 385).
  it('matches the textbook sample sizes', () => {
    expect(sampleSizeForMargin(0.05)).toBe(385);
    expect(sampleSizeForMargin(0.05, { population: 1000 })).toBe(278);
    expect(sampleSizeForMargin(0.03)).toBe(1068);
    expect(sampleSizeForMargin(0.01)).toBe(9604);
    expect(sampleSizeForMargin(0.05, { confidence: 0.99 })).toBe(664);
    expect(sampleSizeForMargin(0.05, { expected: 0.1 })).toBe(139);
  });

  it('never exceeds the population', () => {
    expect(sampleSizeForMargin(0.01, { population: 50 })).toBe(50);
    expect(sampleSizeForMargin(0.05, { population: 1 })).toBe(1);
    expect(sampleSizeForMargin(0.05, { population: 0 })).toBe(0);
  });

  it('rejects meaningless inputs', () => {
    expect(() => sampleSizeForMargin(0)).toThrow(RangeError);
    expect(() => sampleSizeForMargin(5)).toThrow(RangeError);
    expect(() => sampleSizeForMargin(0.05, { expected: 0 })).toThrow(RangeError);
    expect(() => sampleSizeForMargin(0.05, { population: -1 })).toThrow(RangeError);
  });
});

describe('allocateSample', () => {
  const strata = [
    { key: 'big', size: 100_000 },
    { key: 'mid', size: 1000 },
    { key: 'tiny', size: 12 },
    { key: 'empty', size: 0 },
  ];

  it('fixed: perStratum capped at the stratum size', () => {
    expect(allocateSample(strata, { mode: 'fixed', perStratum: 50 })).toEqual(
      new Map([
        ['big', 50],
        ['mid', 50],
        ['tiny', 12],
        ['empty', 0],
      ]),
    );
  });

  it('margin: each stratum sized for its own ±margin with the finite population correction', () => {
    const allocation = allocateSample(strata, { mode: 'margin', margin: 0.05 });
    expect(allocation.get('big')).toBe(sampleSizeForMargin(0.05, { population: 100_000 }));
    expect(allocation.get('big')).toBe(383);
    expect(allocation.get('mid')).toBe(278);
    expect(allocation.get('tiny')).toBe(12);
    expect(allocation.get('empty')).toBe(0);
    const strict = allocateSample(strata, { mode: 'margin', margin: 0.05, confidence: 0.99, expected: 0.2 });
    expect(strict.get('mid')).toBe(sampleSizeForMargin(0.05, { population: 1000, confidence: 0.99, expected: 0.2 }));
  });

  it('rejects duplicate keys', () => {
    const duplicated = [
      { key: 'a', size: 1 },
      { key: 'a', size: 2 },
    ];
    expect(() => allocateSample(duplicated, { mode: 'fixed', perStratum: 1 })).toThrow(RangeError);
  });
});
