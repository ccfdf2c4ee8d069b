import { describe, expect, it } from 'vitest';
import { aucInterval, bucketRates, rocAuc, rocCurve } from './roc';
import { wilsonInterval } from './proportion';

const T = true;
const F = false;

/** Hanley & McNeil (1982), Table 1: CT ratings (1 = definitely normal … 5 = definitely abnormal). */
function hanleyMcNeilCt(): { scores: number[]; labels: boolean[] } {
  const normal = [33, 6, 6, 11, 2];
  const abnormal = [3, 2, 2, 11, 33];
  const scores: number[] = [];
  const labels: boolean[] = [];
  normal.forEach((count, r) => {
    for (let i = 0; i < count; i++) {
      scores.push(r + 1);
      labels.push(false);
    }
  });
  abnormal.forEach((count, r) => {
    for (let i = 0; i < count; i++) {
      scores.push(r + 1);
      labels.push(true);
    }
  });
  return { scores, labels };
}

/** AUC by brute force over all positive–negative pairs, ties counting ½. */
function pairwiseAuc(scores: number[], labels: boolean[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((p, i) => {
    if (!labels[i]) return;
    scores.forEach((n, j) => {
      if (labels[j]) return;
      pairs++;
      wins += p > n ? 1 : p === n ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

describe('rocAuc', () => {
  it('is 1 for perfect separation, 0 reversed, ½ when everything ties', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [F, F, T, T])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [F, F, T, T])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5, 0.5], [F, T, F, T, T])).toBe(0.5);
  });

  it("matches scikit-learn's roc_auc_score documentation example", () => {
    // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [F, F, T, T])).toBe(0.75);
  });

  it('reproduces the Hanley–McNeil CT example, AUC = 0.893', () => {
    const { scores, labels } = hanleyMcNeilCt();
    expect(rocAuc(scores, labels)).toBeCloseTo(0.893, 3);
  });

  it('agrees with the pairwise definition on tied data', () => {
    const scores = [3, 1, 2, 2, 5, 3, 3, 0, 2, 4, 4, 1];
    const labels = [T, F, F, T, T, F, T, F, F, T, F, T];
    expect(rocAuc(scores, labels)).toBeCloseTo(pairwiseAuc(scores, labels), 12);
  });

  it('is null when a class is empty and rejects bad input', () => {
    expect(rocAuc([0.1, 0.2], [T, T])).toBeNull();
    expect(rocAuc([], [])).toBeNull();
    expect(() => rocAuc([0.1], [T, F])).toThrow(RangeError);
    expect(() => rocAuc([Number.NaN, 1], [T, F])).toThrow(RangeError);
  });
});

describe('rocCurve', () => {
  it("matches scikit-learn's roc_curve documentation example", () => {
    // fpr [0, 0, .5, .5, 1], tpr [0, .5, .5, 1, 1], thresholds [inf, .8, .4, .35, .1]
    expect(rocCurve([0.1, 0.4, 0.35, 0.8], [F, F, T, T])).toEqual([
      { fpr: 0, tpr: 0, threshold: Infinity },
      { fpr: 0, tpr: 0.5, threshold: 0.8 },
      { fpr: 0.5, tpr: 0.5, threshold: 0.4 },
      { fpr: 0.5, tpr: 1, threshold: 0.35 },
      { fpr: 1, tpr: 1, threshold: 0.1 },
    ]);
  });

  it('takes tied scores in one diagonal step and its area equals rocAuc', () => {
    const scores = [3, 1, 2, 2, 5, 3, 3, 0, 2, 4, 4, 1];
    const labels = [T, F, F, T, T, F, T, F, F, T, F, T];
    const curve = rocCurve(scores, labels);
    expect(curve.map((p) => p.threshold)).toEqual([Infinity, 5, 4, 3, 2, 1, 0]);
    expect(curve.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
    let area = 0;
    for (let i = 1; i < curve.length; i++) {
      area += ((curve[i].fpr - curve[i - 1].fpr) * (curve[i].tpr + curve[i - 1].tpr)) / 2;
    }
    expect(area).toBeCloseTo(rocAuc(scores, labels)!, 12);
  });

  it('is empty when a class is empty', () => {
    expect(rocCurve([1, 2], [F, F])).toEqual([]);
  });
});

describe('aucInterval', () => {
  it('reproduces the Hanley–McNeil worked example: A = 0.893, SE = 0.032', () => {
    const { scores, labels } = hanleyMcNeilCt();
    const result = aucInterval(scores, labels)!;
    expect(result.auc).toBeCloseTo(0.893, 3);
    expect(result.se).toBeCloseTo(0.032, 3);
    expect(result.low).toBeCloseTo(result.auc - 1.959964 * result.se, 6);
    expect(result.high).toBeCloseTo(result.auc + 1.959964 * result.se, 6);
  });

  it('matches the formula on a hand-computed case and clips to [0, 1]', () => {
    // A = 0.75, n+ = n- = 2: Q1 = .75/1.25 = .6, Q2 = 2(.5625)/1.75 = .642857,
    // SE² = [.1875 + (.6 − .5625) + (.642857 − .5625)] / 4 = .076339…, SE = .276296
    const result = aucInterval([0.1, 0.4, 0.35, 0.8], [F, F, T, T])!;
    expect(result.se).toBeCloseTo(0.276296, 6);
    expect(result.high).toBe(1);
    expect(result.low).toBeCloseTo(0.75 - 1.959964 * 0.276296, 5);
    expect(aucInterval([1, 2], [F, F])).toBeNull();
  });
});

describe('bucketRates', () => {
  const scores = [0.05, 0.1, 0.2, 0.45, 0.5, 0.5, 0.7, 0.99, 1, 1.2, -0.1];
  const labels = [F, F, T, F, T, T, T, T, F, T, T];

  it('counts positives per half-open bucket, closing the last one', () => {
    const buckets = bucketRates(scores, labels, [0, 0.5, 1]);
    expect(buckets).toHaveLength(2);
    // [0, .5): .05 .1 .2 .45 → 1 of 4 positive
    expect(buckets[0]).toMatchObject({ from: 0, to: 0.5, n: 4, positives: 1, rate: 0.25 });
    // [.5, 1]: .5 .5 .7 .99 1 → 4 of 5 (1.2 and −0.1 fall outside)
    expect(buckets[1]).toMatchObject({ from: 0.5, to: 1, n: 5, positives: 4, rate: 0.8 });
    expect(buckets[1].low).toBeCloseTo(wilsonInterval(4, 5)!.low, 12);
    expect(buckets[1].high).toBeCloseTo(wilsonInterval(4, 5)!.high, 12);
  });

  it('reports empty buckets with null rates', () => {
    const buckets = bucketRates(scores, labels, [0, 0.25, 0.4, 0.5, 1]);
    expect(buckets.map((b) => b.n)).toEqual([3, 0, 1, 5]);
    expect(buckets[1]).toEqual({ from: 0.25, to: 0.4, n: 0, positives: 0, rate: null, low: null, high: null });
  });

  it('rejects edges that are not strictly increasing', () => {
    expect(() => bucketRates(scores, labels, [0])).toThrow(RangeError);
    expect(() => bucketRates(scores, labels, [0, 0.5, 0.5, 1])).toThrow(RangeError);
    expect(() => bucketRates(scores, labels, [1, 0])).toThrow(RangeError);
  });
});
