import { describe, expect, it } from 'vitest';
import { seededRandom } from '@/lib/random';
import {
  agreementSummary,
  bootstrapCi,
  cohensKappa,
  fleissKappa,
  krippendorffAlpha,
  pairwiseCohen,
  percentAgreement,
  type Rating,
} from './stats';

/** Ratings from a rater-by-unit matrix; null is a missing value. Units are numbered from 1. */
function fromMatrix(matrix: Record<string, Array<number | string | null>>): Rating[] {
  return Object.entries(matrix).flatMap(([rater, values]) =>
    values.flatMap((value, i) => (value === null ? [] : [{ item: i + 1, rater, label: String(value) }])),
  );
}

/** Ratings from an item-by-category count table, with made-up rater names per item. */
function fromCountTable(table: number[][]): Rating[] {
  return table.flatMap((counts, item) => {
    const labels = counts.flatMap((count, category) => Array<string>(count).fill(`c${category + 1}`));
    return labels.map((label, r) => ({ item, rater: `r${r + 1}`, label }));
  });
}

/** A plausible review: raters skip some items and are right about 85% of the time. */
function simulatedRatings(items: number, raters: number, seed: number): Rating[] {
  const random = seededRandom(seed);
  const ratings: Rating[] = [];
  for (let item = 0; item < items; item++) {
    const truth = random() < 0.6 ? 'accept' : 'reject';
    for (let r = 0; r < raters; r++) {
      if (random() < 0.2) continue;
      const label = random() < 0.85 ? truth : truth === 'accept' ? 'reject' : 'accept';
      ratings.push({ item, rater: `rater${r}`, label });
    }
  }
  return ratings;
}

// Wikipedia, "Cohen's kappa", worked example: 50 proposals, two readers.
const wikipediaCohenPairs: Array<[string, string]> = [
  ...Array<[string, string]>(20).fill(['yes', 'yes']),
  ...Array<[string, string]>(5).fill(['yes', 'no']),
  ...Array<[string, string]>(10).fill(['no', 'yes']),
  ...Array<[string, string]>(15).fill(['no', 'no']),
];

// Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories.
const wikipediaFleissTable = [
  [0, 0, 0, 0, 14],
  [0, 2, 6, 4, 2],
  [0, 0, 3, 5, 6],
  [0, 3, 9, 2, 0],
  [2, 2, 8, 1, 1],
  [7, 7, 0, 0, 0],
  [3, 2, 6, 3, 0],
  [2, 5, 3, 2, 2],
  [6, 5, 2, 1, 0],
  [0, 2, 2, 3, 7],
];

// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
// nominal data, 4 observers, 12 units, missing values. Published alpha = 0.743.
const krippendorffFourObservers = {
  A: [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
  B: [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
  C: [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
  D: [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
};

// Same paper, section A: binary data, 2 observers, 10 units, no missing values. Alpha = 0.095.
const krippendorffTwoObservers = {
  A: [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
  B: [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
};

describe("Cohen's kappa", () => {
  it('reproduces the Wikipedia example: observed 0.7, kappa 0.4', () => {
    const result = cohensKappa(wikipediaCohenPairs);
    expect(result.n).toBe(50);
    expect(result.agreement).toBeCloseTo(0.7, 12);
    expect(result.kappa).toBeCloseTo(0.4, 12);
  });

  it('is 1 for perfect agreement over two labels', () => {
    expect(
      cohensKappa([
        ['a', 'a'],
        ['b', 'b'],
        ['a', 'a'],
      ]).kappa,
    ).toBe(1);
  });

  it('is null with no items, and when both raters only ever use the same label', () => {
    expect(cohensKappa([])).toEqual({ kappa: null, agreement: null, n: 0 });
    // Expected agreement is 1, so kappa is 0/0; observed agreement is still reported.
    expect(
      cohensKappa([
        ['accept', 'accept'],
        ['accept', 'accept'],
      ]),
    ).toEqual({ kappa: null, agreement: 1, n: 2 });
  });

  it('is negative when raters systematically disagree', () => {
    expect(
      cohensKappa([
        ['a', 'b'],
        ['b', 'a'],
      ]).kappa,
    ).toBe(-1);
  });
});

describe('pairwiseCohen', () => {
  it('reproduces the Wikipedia example from ratings, with a CI around it', () => {
    const ratings = wikipediaCohenPairs.flatMap(([x, y], item) => [
      { item, rater: 'reader2', label: y },
      { item, rater: 'reader1', label: x },
    ]);
    const [pair, ...others] = pairwiseCohen(ratings);
    expect(others).toEqual([]);
    expect(pair).toMatchObject({ a: 'reader1', b: 'reader2', n: 50 });
    expect(pair.agreement).toBeCloseTo(0.7, 12);
    expect(pair.kappa).toBeCloseTo(0.4, 12);
    expect(pair.ci!.low).toBeLessThan(0.4);
    expect(pair.ci!.high).toBeGreaterThan(0.4);
  });

  it('lists only pairs with a shared item, over shared items only', () => {
    const ratings = fromMatrix({ x: [1, 2, 1, null], y: [1, 2, 2, 1], z: [null, null, null, 2] });
    const pairs = pairwiseCohen(ratings);
    expect(pairs.map((p) => [p.a, p.b, p.n])).toEqual([
      ['x', 'y', 3],
      ['y', 'z', 1],
    ]);
    // One shared item: too few to bootstrap.
    expect(pairs[1]).toMatchObject({ agreement: 0, kappa: 0, ci: null });
  });

  it('has no CI when kappa is undefined', () => {
    const ratings = fromMatrix({ x: [1, 1, 1], y: [1, 1, 1] });
    expect(pairwiseCohen(ratings)).toEqual([{ a: 'x', b: 'y', n: 3, agreement: 1, kappa: null, ci: null }]);
  });
});

describe("Fleiss' kappa", () => {
  const ratings = fromCountTable(wikipediaFleissTable);

  it('reproduces the Wikipedia example: P̄ ≈ 0.378, P_e ≈ 0.213, kappa ≈ 0.210', () => {
    const kappa = fleissKappa(ratings)!;
    const observed = percentAgreement(ratings);
    expect(observed.items).toBe(10);
    expect(observed.value).toBeCloseTo(0.378, 3);
    expect(kappa).toBeCloseTo(0.21, 3);
    // kappa = (P̄ - P_e) / (1 - P_e), so P_e = (P̄ - kappa) / (1 - kappa).
    expect((observed.value! - kappa) / (1 - kappa)).toBeCloseTo(0.213, 3);
  });

  it('equals the classic constant-raters formula exactly', () => {
    const n = 14;
    const N = wikipediaFleissTable.length;
    const pBar = wikipediaFleissTable.map((row) => (row.reduce((s, c) => s + c * c, 0) - n) / (n * (n - 1))).reduce((s, p) => s + p, 0) / N;
    const pE = [0, 1, 2, 3, 4].map((j) => wikipediaFleissTable.reduce((s, row) => s + row[j], 0) / (N * n)).reduce((s, p) => s + p * p, 0);
    expect(fleissKappa(ratings)).toBeCloseTo((pBar - pE) / (1 - pE), 12);
  });

  it('handles a varying number of raters per item and drops single ratings', () => {
    // Item 1: 3 raters (a, a, b) → P = 2/6; item 2: 2 raters (b, b) → P = 1; item 3: one rating.
    // P̄ = 2/3; totals a=2, b=3 → P_e = 13/25; kappa = (2/3 - 13/25) / (12/25) = 11/36.
    const ratings = fromMatrix({ x: ['a', 'b', 'a'], y: ['a', 'b', null], z: ['b', null, null] });
    expect(fleissKappa(ratings)).toBeCloseTo(11 / 36, 12);
    expect(percentAgreement(ratings)).toEqual({ value: expect.closeTo(2 / 3, 12), items: 2 });
  });

  it('is 1 for perfect agreement, null when undefined', () => {
    expect(
      fleissKappa(
        fromCountTable([
          [3, 0],
          [0, 3],
          [3, 0],
        ]),
      ),
    ).toBe(1);
    expect(
      fleissKappa(
        fromCountTable([
          [3, 0],
          [3, 0],
        ]),
      ),
    ).toBeNull();
    expect(fleissKappa([{ item: 1, rater: 'x', label: 'a' }])).toBeNull();
    expect(fleissKappa([])).toBeNull();
  });
});

describe("Krippendorff's alpha (nominal)", () => {
  it('reproduces the 4-observer example with missing data: 0.743', () => {
    expect(krippendorffAlpha(fromMatrix(krippendorffFourObservers))).toBeCloseTo(0.743, 3);
  });

  it('reproduces the 2-observer binary example: 0.095', () => {
    // By hand: o_01 = 4, n_0 = 14, n_1 = 6, n = 20 → 1 - 19·4 / (14·6) = 8/84.
    expect(krippendorffAlpha(fromMatrix(krippendorffTwoObservers))).toBeCloseTo(8 / 84, 12);
    expect(krippendorffAlpha(fromMatrix(krippendorffTwoObservers))).toBeCloseTo(0.095, 3);
  });

  it('is 1 for perfect agreement, null when undefined', () => {
    expect(krippendorffAlpha(fromMatrix({ x: [1, 2, 1, 3], y: [1, 2, 1, null], z: [1, null, 1, 3] }))).toBe(1);
    expect(krippendorffAlpha(fromMatrix({ x: [1, 1], y: [1, 1] }))).toBeNull();
    expect(krippendorffAlpha(fromMatrix({ x: [1, 2], y: [null, null] }))).toBeNull();
  });
});

describe('duplicate ratings', () => {
  it("keep a rater's last label for an item", () => {
    const ratings: Rating[] = [
      { item: 1, rater: 'x', label: 'reject' },
      { item: 1, rater: 'y', label: 'accept' },
      { item: 1, rater: 'x', label: 'accept' },
      { item: 2, rater: 'x', label: 'reject' },
      { item: 2, rater: 'y', label: 'reject' },
    ];
    expect(percentAgreement(ratings)).toEqual({ value: 1, items: 2 });
    expect(
      cohensKappa([
        ['accept', 'accept'],
        ['reject', 'reject'],
      ]).kappa,
    ).toBe(1);
    expect(pairwiseCohen(ratings)[0]).toMatchObject({ n: 2, kappa: 1 });
    expect(krippendorffAlpha(ratings)).toBe(1);
  });
});

describe('bootstrapCi', () => {
  const values = Array.from({ length: 40 }, (_, i) => (i * 7) % 11);
  const mean = (sample: number[]) => sample.reduce((s, v) => s + v, 0) / sample.length;

  it('is deterministic for a seed and varies with it', () => {
    const ci = bootstrapCi(values, mean, { seed: 42 });
    expect(bootstrapCi(values, mean, { seed: 42 })).toEqual(ci);
    expect(bootstrapCi(values, mean, { seed: 43 })).not.toEqual(ci);
    expect(ci!.low).toBeLessThan(mean(values));
    expect(ci!.high).toBeGreaterThan(mean(values));
  });

  it('narrows as the level drops', () => {
    const wide = bootstrapCi(values, mean, { level: 0.99 })!;
    const narrow = bootstrapCi(values, mean, { level: 0.5 })!;
    expect(narrow.low).toBeGreaterThan(wide.low);
    expect(narrow.high).toBeLessThan(wide.high);
  });

  it('skips resamples where the statistic is undefined', () => {
    // Undefined unless the resample contains both 0 and 1, like kappa on one category.
    const units = [0, 1];
    const share = (sample: number[]) => (sample.includes(0) && sample.includes(1) ? mean(sample) : null);
    expect(bootstrapCi(units, share)).toEqual({ low: 0.5, high: 0.5 });
    expect(bootstrapCi([0, 0, 0], share)).toBeNull();
  });

  it('is null with fewer than 2 units, and rejects bad options', () => {
    expect(bootstrapCi([], mean)).toBeNull();
    expect(bootstrapCi([5], mean)).toBeNull();
    expect(() => bootstrapCi(values, mean, { level: 1 })).toThrow(RangeError);
    expect(() => bootstrapCi(values, mean, { iterations: 0 })).toThrow(RangeError);
  });
});

describe('agreementSummary', () => {
  const ratings = simulatedRatings(300, 4, 7);

  it('matches the standalone statistics, with CIs that contain them', () => {
    const summary = agreementSummary(ratings);
    expect(summary.items).toBe(300);
    expect(summary.raters).toBe(4);
    expect(summary.pairedItems).toBe(percentAgreement(ratings).items);
    expect(summary.percentAgreement.value).toBe(percentAgreement(ratings).value);
    expect(summary.fleissKappa.value).toBe(fleissKappa(ratings));
    expect(summary.krippendorffAlpha.value).toBe(krippendorffAlpha(ratings));
    expect(summary.pairs.map(({ ci: _, ...pair }) => pair)).toEqual(pairwiseCohen(ratings).map(({ ci: _, ...pair }) => pair));
    expect(summary.pairs).toHaveLength(6);

    for (const { value, ci } of [summary.percentAgreement, summary.fleissKappa, summary.krippendorffAlpha]) {
      expect(ci!.low).toBeLessThanOrEqual(value!);
      expect(ci!.high).toBeGreaterThanOrEqual(value!);
      expect(ci!.high - ci!.low).toBeLessThan(0.3);
    }
    for (const pair of summary.pairs) {
      expect(pair.ci!.low).toBeLessThanOrEqual(pair.kappa!);
      expect(pair.ci!.high).toBeGreaterThanOrEqual(pair.kappa!);
    }
  });

  it('is reproducible for a seed and changes with it', () => {
    const first = agreementSummary(ratings, { seed: 3, iterations: 200 });
    expect(agreementSummary(ratings, { seed: 3, iterations: 200 })).toEqual(first);
    expect(agreementSummary(ratings, { seed: 4, iterations: 200 }).fleissKappa.ci).not.toEqual(first.fleissKappa.ci);
  });

  it('reports nulls rather than failing on data with nothing to compare', () => {
    expect(agreementSummary([{ item: 1, rater: 'x', label: 'accept' }])).toEqual({
      items: 1,
      raters: 1,
      pairedItems: 0,
      percentAgreement: { value: null, ci: null },
      fleissKappa: { value: null, ci: null },
      krippendorffAlpha: { value: null, ci: null },
      pairs: [],
    });
  });

  it('completes 1000 resamples over 5000 items', () => {
    const summary = agreementSummary(simulatedRatings(5000, 3, 11));
    expect(summary.pairedItems).toBeGreaterThan(4000);
    expect(summary.fleissKappa.ci).not.toBeNull();
    expect(summary.krippendorffAlpha.ci).not.toBeNull();
    expect(summary.pairs.every((p) => p.ci !== null)).toBe(true);
  });
});
