import { bootstrapCi, type BootstrapOptions, type Interval } from './bootstrap';

export { bootstrapCi, type BootstrapOptions, type Interval } from './bootstrap';

/** One rater's label for one item. */
export interface Rating {
  item: number;
  rater: string;
  label: string;
}

export interface CohenResult {
  /** Null when undefined: no items, or chance alone predicts perfect agreement. */
  kappa: number | null;
  /** Observed share of items with the same label; null when n = 0. */
  agreement: number | null;
  n: number;
}

export interface PairAgreement {
  a: string;
  b: string;
  /** Items both raters labelled. */
  n: number;
  agreement: number | null;
  kappa: number | null;
  ci: Interval | null;
}

export interface Estimate {
  value: number | null;
  ci: Interval | null;
}

export interface AgreementSummary {
  /** Distinct items with at least one rating. */
  items: number;
  /** Distinct raters. */
  raters: number;
  /** Items with at least 2 ratings: the only ones the statistics below can use. */
  pairedItems: number;
  percentAgreement: Estimate;
  fleissKappa: Estimate;
  krippendorffAlpha: Estimate;
  pairs: PairAgreement[];
}

/**
 * The items with at least 2 ratings, reduced to what every multi-rater statistic needs and
 * stored as parallel arrays, so a bootstrap resamples item indices instead of regrouping raw
 * ratings on every iteration. Item i's category counts are counts[i*categories + c].
 */
interface ItemTallies {
  categories: number;
  /** n_ic: ratings of item i in category c. */
  counts: Float64Array;
  /** P_i: share of ordered pairs of the item's raters that agree, Σ n_c(n_c-1) / (m(m-1)). */
  agreement: Float64Array;
  /** Σ n_c(n_c-1) / (m-1): the item's contribution to the coincidence matrix's diagonal. */
  matches: Float64Array;
  /** 0..items-1: "every item", the unit list to resample. */
  indices: number[];
}

/** Ratings by item then rater; a rater's later rating of an item replaces an earlier one. */
function latestLabels(ratings: readonly Rating[]): Map<number, Map<string, string>> {
  const byItem = new Map<number, Map<string, string>>();
  for (const { item, rater, label } of ratings) {
    let labels = byItem.get(item);
    if (!labels) byItem.set(item, (labels = new Map()));
    labels.set(rater, label);
  }
  return byItem;
}

/** Tallies of the items with at least 2 ratings; single ratings cannot show (dis)agreement. */
function tallyItems(ratings: readonly Rating[]) {
  const byItem = latestLabels(ratings);
  const categories = new Map<string, number>();
  const raters = new Set<string>();
  const paired: Array<Map<string, string>> = [];
  for (const labels of byItem.values()) {
    for (const [rater, label] of labels) {
      raters.add(rater);
      if (!categories.has(label)) categories.set(label, categories.size);
    }
    if (labels.size >= 2) paired.push(labels);
  }

  const k = categories.size;
  const tallies: ItemTallies = {
    categories: k,
    counts: new Float64Array(paired.length * k),
    agreement: new Float64Array(paired.length),
    matches: new Float64Array(paired.length),
    indices: paired.map((_, i) => i),
  };
  paired.forEach((labels, i) => {
    const m = labels.size;
    for (const label of labels.values()) tallies.counts[i * k + categories.get(label)!]++;
    let agreeingPairs = 0;
    for (let c = 0; c < k; c++) {
      const n = tallies.counts[i * k + c];
      agreeingPairs += n * (n - 1);
    }
    tallies.agreement[i] = agreeingPairs / (m * (m - 1));
    tallies.matches[i] = agreeingPairs / (m - 1);
  });
  return { tallies, items: byItem.size, raters: raters.size };
}

/** A statistic of the tallied items listed in `sample` (repeats allowed, as in a resample). */
type TallyStatistic = (tallies: ItemTallies, sample: readonly number[]) => number | null;

/** Σ over the sampled items of each category's count: T = Σ_c T_c and Σ_c T_c². */
function categoryTotals({ counts, categories: k }: ItemTallies, sample: readonly number[]) {
  const totals = new Float64Array(k);
  for (const i of sample) {
    for (let c = 0; c < k; c++) totals[c] += counts[i * k + c];
  }
  let sum = 0;
  let sumOfSquares = 0;
  for (const t of totals) {
    sum += t;
    sumOfSquares += t * t;
  }
  return { sum, sumOfSquares };
}

const meanAgreement: TallyStatistic = ({ agreement }, sample) => {
  if (sample.length === 0) return null;
  let sum = 0;
  for (const i of sample) sum += agreement[i];
  return sum / sample.length;
};

const fleissFromTallies: TallyStatistic = (tallies, sample) => {
  const observed = meanAgreement(tallies, sample);
  if (observed === null) return null;
  const { sum, sumOfSquares } = categoryTotals(tallies, sample);
  // 1 - P_e = (T² - Σ T_c²) / T², on integers so "one category only" is exactly 0.
  if (sum * sum - sumOfSquares === 0) return null;
  const expected = sumOfSquares / (sum * sum);
  return (observed - expected) / (1 - expected);
};

/**
 * Nominal alpha = 1 - D_o / D_e, rewritten with the coincidence matrix's diagonal
 * O = Σ o_cc and the category totals n_c (n = Σ n_c pairable values):
 * alpha = ((n-1)·O - Σ n_c(n_c-1)) / (n(n-1) - Σ n_c(n_c-1)).
 */
const alphaFromTallies: TallyStatistic = (tallies, sample) => {
  if (sample.length === 0) return null;
  let diagonal = 0;
  for (const i of sample) diagonal += tallies.matches[i];
  const { sum: n, sumOfSquares } = categoryTotals(tallies, sample);
  const chancePairs = sumOfSquares - n;
  // Zero exactly when every value is in one category: no variation, alpha undefined.
  const denominator = n * (n - 1) - chancePairs;
  if (denominator === 0) return null;
  return ((n - 1) * diagonal - chancePairs) / denominator;
};

/**
 * Observed agreement: over items with at least 2 ratings, the mean share of agreeing rater
 * pairs within the item. `items` counts those items.
 */
export function percentAgreement(ratings: readonly Rating[]): { value: number | null; items: number } {
  const { tallies } = tallyItems(ratings);
  return { value: meanAgreement(tallies, tallies.indices), items: tallies.indices.length };
}

/**
 * Fleiss' kappa over items with at least 2 ratings, allowing the number of raters to vary:
 * P_i = Σ n_ij(n_ij-1) / (m_i(m_i-1)), P̄ = mean P_i, p_j = share of all ratings in j,
 * P_e = Σ p_j². With a constant number of raters this is classic Fleiss. Null when no item
 * has 2 ratings or every rating has the same label (P_e = 1).
 */
export function fleissKappa(ratings: readonly Rating[]): number | null {
  const { tallies } = tallyItems(ratings);
  return fleissFromTallies(tallies, tallies.indices);
}

/**
 * Krippendorff's alpha for nominal labels, with missing data: raters need not rate every
 * item, and items with fewer than 2 ratings are unpairable and dropped. Null when nothing is
 * pairable or all pairable values share one label.
 */
export function krippendorffAlpha(ratings: readonly Rating[]): number | null {
  const { tallies } = tallyItems(ratings);
  return alphaFromTallies(tallies, tallies.indices);
}

/** Two raters' labels on their shared items, coded as category indices 0..k-1. */
interface CodedPairs {
  a: Int32Array;
  b: Int32Array;
  k: number;
  /** 0..n-1: "every item", the unit list to resample. */
  indices: number[];
}

function codePairs(pairs: ReadonlyArray<readonly [string, string]>): CodedPairs {
  const categories = new Map<string, number>();
  const code = (label: string) => {
    let index = categories.get(label);
    if (index === undefined) categories.set(label, (index = categories.size));
    return index;
  };
  const a = Int32Array.from(pairs, ([x]) => code(x));
  const b = Int32Array.from(pairs, ([, y]) => code(y));
  return { a, b, k: categories.size, indices: pairs.map((_, i) => i) };
}

/** Cohen's kappa over the coded pairs listed in `sample` (repeats allowed, as in a resample). */
function codedKappa({ a, b, k }: CodedPairs, sample: readonly number[]): CohenResult {
  const n = sample.length;
  if (n === 0) return { kappa: null, agreement: null, n };
  const countsA = new Float64Array(k);
  const countsB = new Float64Array(k);
  let agreed = 0;
  for (const i of sample) {
    countsA[a[i]]++;
    countsB[b[i]]++;
    if (a[i] === b[i]) agreed++;
  }
  let chanceAgreed = 0; // n² · P_e, kept as an integer
  for (let c = 0; c < k; c++) chanceAgreed += countsA[c] * countsB[c];
  const agreement = agreed / n;
  // P_e = 1 only when both raters used one and the same label throughout, so observed
  // agreement is 1 too: kappa is 0/0. Returning 1 would claim agreement beyond chance that
  // the data cannot show, and 0 would claim none; null says "undefined".
  if (chanceAgreed === n * n) return { kappa: null, agreement, n };
  return { kappa: (n * agreed - chanceAgreed) / (n * n - chanceAgreed), agreement, n };
}

/**
 * Cohen's kappa for two raters' labels on the same items, one [rater A, rater B] pair per
 * item. kappa is null when n = 0, or when expected agreement is 1 (see codedKappa).
 */
export function cohensKappa(pairs: ReadonlyArray<readonly [string, string]>): CohenResult {
  const coded = codePairs(pairs);
  return codedKappa(coded, coded.indices);
}

/**
 * Cohen's kappa for every unordered pair of raters sharing at least one item (a < b by name),
 * with a bootstrap CI over their shared items; ci is null when n < 2 or kappa is undefined.
 */
export function pairwiseCohen(ratings: readonly Rating[], options: BootstrapOptions = {}): PairAgreement[] {
  const byRater = new Map<string, Map<number, string>>();
  for (const [item, labels] of latestLabels(ratings)) {
    for (const [rater, label] of labels) {
      let items = byRater.get(rater);
      if (!items) byRater.set(rater, (items = new Map()));
      items.set(item, label);
    }
  }

  const raters = [...byRater.keys()].sort();
  const result: PairAgreement[] = [];
  for (let i = 0; i < raters.length; i++) {
    for (let j = i + 1; j < raters.length; j++) {
      const [a, b] = [raters[i], raters[j]];
      const labelsA = byRater.get(a)!;
      const labelsB = byRater.get(b)!;
      const pairs: Array<[string, string]> = [];
      for (const [item, labelA] of labelsA) {
        const labelB = labelsB.get(item);
        if (labelB !== undefined) pairs.push([labelA, labelB]);
      }
      if (pairs.length === 0) continue;

      const coded = codePairs(pairs);
      const { kappa, agreement, n } = codedKappa(coded, coded.indices);
      const resampledKappa = (sample: number[]) => codedKappa(coded, sample).kappa;
      const ci = kappa === null ? null : bootstrapCi(coded.indices, resampledKappa, options);
      result.push({ a, b, n, agreement, kappa, ci });
    }
  }
  return result;
}

/**
 * Every agreement statistic at once, each with a bootstrap CI over items: an item's ratings
 * are resampled together (as indices into the per-item tallies), since ratings of one item
 * are not independent. Only items with at least 2 ratings are resampled; the others contribute
 * nothing to any statistic. All three CIs use the same seed, hence the same resamples.
 */
export function agreementSummary(ratings: readonly Rating[], options: BootstrapOptions = {}): AgreementSummary {
  const { tallies, items, raters } = tallyItems(ratings);
  const estimate = (statistic: TallyStatistic): Estimate => {
    const value = statistic(tallies, tallies.indices);
    const resampled = (sample: number[]) => statistic(tallies, sample);
    return { value, ci: value === null ? null : bootstrapCi(tallies.indices, resampled, options) };
  };
  return {
    items,
    raters,
    pairedItems: tallies.indices.length,
    percentAgreement: estimate(meanAgreement),
    fleissKappa: estimate(fleissFromTallies),
    krippendorffAlpha: estimate(alphaFromTallies),
    pairs: pairwiseCohen(ratings, options),
  };
}
