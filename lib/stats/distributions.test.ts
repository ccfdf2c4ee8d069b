import { describe, expect, it } from 'vitest';
import { logGamma, normalQuantile, regularizedIncompleteBeta, studentTQuantile, twoSidedZ } from './distributions';

describe('normalQuantile', () => {
  // Reference values: Abramowitz & Stegun Table 26.5 / any z-table, to the digits printed there
  // and (for the 1e-9 checks) R's qnorm.
  it.each([
    [0.975, 1.959963984540054],
    [0.995, 2.575829303548901],
    [0.999, 3.090232306167813],
    [0.95, 1.644853626951472],
    [0.8413447460685429, 1], // pnorm(1)
    [1e-10, -6.361340902404056],
  ])('Φ⁻¹(%d) = %d', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 9);
  });

  it('is 0 at the median and antisymmetric', () => {
    expect(normalQuantile(0.5)).toBe(0);
    for (const p of [0.001, 0.02, 0.2, 0.4]) expect(normalQuantile(p)).toBeCloseTo(-normalQuantile(1 - p), 12);
  });

  it('handles the ends and rejects probabilities outside [0, 1]', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(-0.1)).toBeNaN();
    expect(normalQuantile(1.1)).toBeNaN();
    expect(normalQuantile(Number.NaN)).toBeNaN();
  });

  it('twoSidedZ maps confidence levels to z and validates them', () => {
    expect(twoSidedZ(0.95)).toBeCloseTo(1.959963985, 9);
    expect(twoSidedZ(0.9)).toBeCloseTo(1.644853627, 9);
    expect(twoSidedZ(0.99)).toBeCloseTo(2.575829304, 9);
    expect(() => twoSidedZ(1)).toThrow(RangeError);
    expect(() => twoSidedZ(0)).toThrow(RangeError);
    expect(() => twoSidedZ(95)).toThrow(RangeError);
  });
});

describe('studentTQuantile', () => {
  // Published t-table values (e.g. NIST/SEMATECH e-Handbook §1.3.6.7.2), to the printed digits.
  it.each([
    [0.975, 1, 12.706],
    [0.975, 2, 4.303],
    [0.975, 5, 2.571],
    [0.975, 10, 2.228],
    [0.975, 30, 2.042],
    [0.975, 100, 1.984],
    [0.95, 20, 1.725],
    [0.995, 5, 4.032],
    [0.9995, 1, 636.619],
  ])('t(%d, df=%d) = %d', (p, df, t) => {
    expect(studentTQuantile(p, df)).toBeCloseTo(t, 3);
  });

  // Higher-precision values (R's qt / SciPy's t.ppf) to check the 1e-9 accuracy claim.
  it.each([
    [0.975, 1, 12.706204736174694],
    [0.975, 3, 3.1824463052837078],
    [0.975, 9, 2.262157162798205],
    [0.975, 30, 2.0422724563012378],
    [0.975, 1000, 1.9623390808264083],
    [0.975, 1e6, 1.959966356814107],
    [0.9995, 3, 12.923978636687961],
    [0.999999, 4, 41.5778541501515],
    [0.6, 7, 0.2631668613520229],
    [0.975, 2.5, 3.5746548420036817], // fractional df
  ])('t(%d, df=%d) = %d to 1e-9 relative', (p, df, t) => {
    expect(Math.abs(studentTQuantile(p, df) / t - 1)).toBeLessThan(1e-9);
  });

  it('approaches the normal quantile for large df and is antisymmetric', () => {
    expect(studentTQuantile(0.975, 1e9)).toBeCloseTo(1.959963985, 8);
    expect(studentTQuantile(0.975, Infinity)).toBeCloseTo(1.959963985, 9);
    expect(studentTQuantile(0.025, 10)).toBeCloseTo(-2.228138852, 9);
    expect(studentTQuantile(0.5, 4)).toBe(0);
  });

  it('is continuous where the method switches at df = 1000', () => {
    const below = studentTQuantile(0.999, 1000 - 1e-9); // the true change is ~1e-14
    const above = studentTQuantile(0.999, 1000);
    expect(Math.abs(below - above)).toBeLessThan(1e-9);
  });

  it('rejects invalid arguments with NaN', () => {
    expect(studentTQuantile(0.975, 0)).toBeNaN();
    expect(studentTQuantile(1.5, 10)).toBeNaN();
    expect(studentTQuantile(1, 10)).toBe(Infinity);
  });
});

describe('special functions', () => {
  it('logGamma matches factorials and Γ(½) = √π', () => {
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(1)).toBeCloseTo(0, 12);
  });

  it('regularizedIncompleteBeta matches closed forms', () => {
    // I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 − (1 − x)^b.
    expect(regularizedIncompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 14);
    expect(regularizedIncompleteBeta(0.7, 3, 1)).toBeCloseTo(0.343, 14);
    expect(regularizedIncompleteBeta(0.2, 1, 4)).toBeCloseTo(1 - 0.8 ** 4, 14);
    // I_½(a, a) = ½ by symmetry.
    expect(regularizedIncompleteBeta(0.5, 7.5, 7.5)).toBeCloseTo(0.5, 14);
  });
});
