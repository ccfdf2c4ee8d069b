/**
 * How well a numeric signal (a model score, a heuristic) separates items humans marked positive
 * from the rest: ROC AUC with an interval, the ROC curve, and observed rates per score bucket.
 * Convention throughout: a higher score means "more likely positive".
 */
import { twoSidedZ } from './distributions';
import { wilsonInterval } from './proportion';

function assertScored(scores: readonly number[], labels: readonly boolean[]): void {
  if (scores.length !== labels.length) {
    throw new RangeError(`scores (${scores.length}) and labels (${labels.length}) differ in length`);
  }
  if (scores.some((s) => Number.isNaN(s))) throw new RangeError('scores must not be NaN');
}

/** 1-based ranks of values ascending, tied values sharing the average of their ranks. */
function averageRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    const rank = (start + 1 + end) / 2; // mean of ranks start+1 … end
    for (let i = start; i < end; i++) ranks[order[i]] = rank;
    start = end;
  }
  return ranks;
}

/**
 * The area under the ROC curve: the probability that a random positive scores above a random
 * negative, ties counting one half. Null when either class is empty.
 * Method: the Mann–Whitney U statistic from average ranks, AUC = (R₊ − n₊(n₊+1)/2) / (n₊·n₋),
 * O(n log n). Reference: J. A. Hanley & B. J. McNeil (1982), Radiology 143(1), 29–36 — the AUC
 * equals the Wilcoxon–Mann–Whitney statistic.
 */
export function rocAuc(scores: readonly number[], labels: readonly boolean[]): number | null {
  assertScored(scores, labels);
  const positives = labels.filter(Boolean).length;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const ranks = averageRanks(scores);
  const positiveRankSum = ranks.reduce((sum, rank, i) => (labels[i] ? sum + rank : sum), 0);
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface RocPoint {
  fpr: number;
  tpr: number;
  /** Items scoring ≥ threshold are called positive; Infinity for the opening (0, 0) point. */
  threshold: number;
}

/**
 * The empirical ROC curve for charting: one point per distinct score, thresholds descending,
 * opening at (0, 0) with threshold Infinity (JSON.stringify writes it as null) and ending at
 * (1, 1) at the lowest score. Tied scores move the curve diagonally in one step. Empty when
 * either class is empty. Same points as scikit-learn's roc_curve(drop_intermediate=False).
 * Reference: T. Fawcett (2006), "An introduction to ROC analysis", Pattern Recognition Letters
 * 27, 861–874, Algorithm 1.
 */
export function rocCurve(scores: readonly number[], labels: readonly boolean[]): RocPoint[] {
  assertScored(scores, labels);
  const positives = labels.filter(Boolean).length;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return [];
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  let truePositives = 0;
  let falsePositives = 0;
  for (let i = 0; i < order.length; i++) {
    if (labels[order[i]]) truePositives++;
    else falsePositives++;
    const score = scores[order[i]];
    if (i + 1 === order.length || scores[order[i + 1]] !== score) {
      points.push({ fpr: falsePositives / negatives, tpr: truePositives / positives, threshold: score });
    }
  }
  return points;
}

export interface AucInterval {
  auc: number;
  low: number;
  high: number;
  /** The Hanley–McNeil standard error. */
  se: number;
}

/**
 * ROC AUC with a normal-approximation interval auc ± z·SE clipped to [0, 1]; null when either
 * class is empty. SE is Hanley & McNeil's (1982) formula, which assumes exponential score
 * distributions: Q₁ = A/(2 − A), Q₂ = 2A²/(1 + A),
 * SE² = [A(1 − A) + (n₊ − 1)(Q₁ − A²) + (n₋ − 1)(Q₂ − A²)] / (n₊·n₋).
 * It is quick and close to DeLong's for moderate AUCs but collapses to width 0 at AUC = 0 or 1;
 * prefer a bootstrap for small samples near perfect separation.
 * Reference: J. A. Hanley & B. J. McNeil (1982), "The meaning and use of the area under a
 * receiver operating characteristic (ROC) curve", Radiology 143(1), 29–36, equation (2).
 */
export function aucInterval(scores: readonly number[], labels: readonly boolean[], confidence = 0.95): AucInterval | null {
  const z = twoSidedZ(confidence);
  const auc = rocAuc(scores, labels);
  if (auc === null) return null;
  const positives = labels.filter(Boolean).length;
  const negatives = labels.length - positives;
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) / (positives * negatives);
  const se = Math.sqrt(Math.max(0, variance));
  return { auc, low: Math.max(0, auc - z * se), high: Math.min(1, auc + z * se), se };
}

export interface ScoreBucket {
  from: number;
  to: number;
  /** Items with a score in the bucket. */
  n: number;
  positives: number;
  /** positives / n, with its Wilson interval; null for an empty bucket. */
  rate: number | null;
  low: number | null;
  high: number | null;
}

/**
 * The observed share of positives per score bucket [edges[i], edges[i+1]), the last bucket
 * also including its upper edge, each with a 95% Wilson interval (see wilsonInterval): a
 * calibration / reliability table. Scores outside [edges[0], edges[last]] are ignored.
 * Throws a RangeError unless edges has at least 2 strictly increasing values.
 */
export function bucketRates(
  scores: readonly number[],
  labels: readonly boolean[],
  edges: readonly number[],
  confidence = 0.95,
): ScoreBucket[] {
  assertScored(scores, labels);
  if (edges.length < 2 || edges.some((e, i) => Number.isNaN(e) || (i > 0 && !(e > edges[i - 1])))) {
    throw new RangeError('edges must hold at least 2 strictly increasing numbers');
  }
  const counts = edges.slice(1).map(() => ({ n: 0, positives: 0 }));
  scores.forEach((score, i) => {
    const bucket = bucketIndex(edges, score);
    if (bucket === -1) return;
    counts[bucket].n++;
    if (labels[i]) counts[bucket].positives++;
  });
  return counts.map(({ n, positives }, i) => {
    const interval = wilsonInterval(positives, n, confidence);
    return {
      from: edges[i],
      to: edges[i + 1],
      n,
      positives,
      rate: interval?.estimate ?? null,
      low: interval?.low ?? null,
      high: interval?.high ?? null,
    };
  });
}

/** The i with edges[i] ≤ score < edges[i+1] (last bucket closed), by binary search; -1 if none. */
function bucketIndex(edges: readonly number[], score: number): number {
  const last = edges.length - 1;
  if (score < edges[0] || score > edges[last]) return -1;
  if (score === edges[last]) return last - 1;
  let low = 0;
  let high = last; // invariant: edges[low] ≤ score < edges[high]
  while (high - low > 1) {
    const mid = (low + high) >> 1;
    if (edges[mid] <= score) low = mid;
    else high = mid;
  }
  return low;
}
