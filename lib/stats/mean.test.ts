import { describe, expect, it } from 'vitest';
import { meanInterval } from './mean';

describe('meanInterval', () => {
  // Student's sleep data (Cushny & Peebles 1905), extra sleep of drug 2 over drug 1 per patient.
  // R's t.test(extra ~ group, data = sleep, paired = TRUE) prints mean difference 1.58 and the
  // 95% interval 0.7001142 – 2.4598858 (sign flipped there: it reports group 1 − group 2).
  const sleepDifferences = [1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4];

  it("reproduces R's t.test on Student's sleep data", () => {
    const result = meanInterval(sleepDifferences)!;
    expect(result.n).toBe(10);
    expect(result.mean).toBeCloseTo(1.58, 12);
    expect(result.low).toBeCloseTo(0.7001142, 7);
    expect(result.high).toBeCloseTo(2.4598858, 7);
  });

  it('uses t with n − 1 degrees of freedom: two values give mean ± 12.706·|a − b|/2', () => {
    // s = |a − b|/√2, se = s/√2 = |a − b|/2, t(0.975, 1) = 12.7062.
    const result = meanInterval([1, 3])!;
    expect(result.mean).toBe(2);
    expect(result.low).toBeCloseTo(2 - 12.7062047, 6);
    expect(result.high).toBeCloseTo(2 + 12.7062047, 6);
  });

  it('narrows at lower confidence', () => {
    const at90 = meanInterval(sleepDifferences, 0.9)!;
    const at95 = meanInterval(sleepDifferences)!;
    expect(at90.high! - at90.low!).toBeLessThan(at95.high! - at95.low!);
  });

  it('returns null bounds for one value and null for none', () => {
    expect(meanInterval([4.5])).toEqual({ mean: 4.5, low: null, high: null, n: 1 });
    expect(meanInterval([])).toBeNull();
  });

  it('gives a zero-width interval for constant values and rejects non-finite ones', () => {
    expect(meanInterval([2, 2, 2])).toEqual({ mean: 2, low: 2, high: 2, n: 3 });
    expect(() => meanInterval([1, Number.NaN])).toThrow(RangeError);
    expect(() => meanInterval([1, 2], 0)).toThrow(RangeError);
  });
});
