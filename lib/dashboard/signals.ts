import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { seededRandom } from '@/lib/random';
import { aucInterval, bucketRates, rocCurve, type AucInterval, type RocPoint, type ScoreBucket } from '@/lib/stats/roc';

/** The judge's 0-10 scores are bucketed by fixed edges; other signals over their observed range. */
export const isJudgeSignal = (name: string) => name.startsWith('judge_');

/**
 * Pairs used at most. Each pair costs a random read of its item, so beyond this a sample of
 * the signal's rows is read instead (see signalVsHuman): 20k pairs put the AUC's 95% interval
 * within about ±0.007 and each bucket's rate within a few points (bench/README.md).
 */
export const MAX_PAIRS = 20_000;
export const ROC_POINTS = 100;
const BUCKETS = 10;
/** Knuth's multiplicative hash constant: (item_id · K) mod 2³² spreads consecutive ids evenly. */
const HASH_MULTIPLIER = 2654435761;
const HASH_RANGE = 2 ** 32;

export interface SignalVsHuman {
  datasetId: number;
  signal: string;
  /** Rows of the signal in the dataset (any candidate, any item status). */
  signalRows: number;
  /** Share of those rows read: 1, or about MAX_PAIRS / signalRows (a hash sample of items). */
  sampleFraction: number;
  /** Pairs found in the rows read: decided items (accepted or rejected) whose current candidate has the signal. */
  pairs: number;
  /** Pairs used (at most MAX_PAIRS). */
  n: number;
  /** True when not every pair was used. */
  sampled: boolean;
  accepted: number;
  rejected: number;
  /** Lowest and highest value among the pairs used. */
  range: { min: number; max: number } | null;
  /** AUC for "a higher value means accepted", Hanley–McNeil 95% interval; null without both classes. */
  auc: AucInterval | null;
  /** At most ROC_POINTS points, both ends kept; the opening point's threshold (Infinity) is null. */
  roc: (Omit<RocPoint, 'threshold'> & { threshold: number | null })[];
  /** Accept rate per score bucket, with Wilson intervals. */
  buckets: ScoreBucket[];
}

/* How many rows the signal has in the dataset: a count over a range of signals_rank. */
const SIGNAL_ROWS = `SELECT count(*) FROM signals WHERE dataset_id = ? AND name = ? AND value IS NOT NULL`;
/*
 * The pairs: a range of signals_rank (dataset_id, name, value, item_id) with the hash sample
 * applied to each index entry, then, for the rows kept only, the item by primary key (status,
 * current candidate) and the signal's own row (candidate_id), so a signal computed on an
 * earlier candidate of the item does not count. With the proposed covering index
 * signals_candidate (dataset_id, name, item_id, candidate_id, value) the signal's row is not
 * read and the items are read in id order: 2.5x faster (bench/README.md).
 */
const SIGNAL_PAIRS = `SELECT s.value, i.status = 'accepted' AS accepted
  FROM signals s CROSS JOIN items i
  WHERE s.dataset_id = :datasetId AND s.name = :signal AND s.value IS NOT NULL
    AND ((s.item_id * ${HASH_MULTIPLIER}) & ${HASH_RANGE - 1}) < :threshold
    AND i.id = s.item_id AND i.status IN ('accepted', 'rejected') AND i.current_candidate_id = s.candidate_id`;

/** Signal names present in a dataset, one index seek each (a loose scan of signals_rank). */
export function signalNames(db: Db, datasetId: number): string[] {
  return statement<[{ datasetId: number }], string>(
    db,
    `WITH RECURSIVE names(name) AS (
       SELECT (SELECT min(name) FROM signals WHERE dataset_id = :datasetId)
       UNION ALL
       SELECT (SELECT min(name) FROM signals WHERE dataset_id = :datasetId AND name > names.name) FROM names WHERE names.name IS NOT NULL)
     SELECT name FROM names WHERE name IS NOT NULL`,
  )
    .pluck()
    .all({ datasetId });
}

/** Equal-width edges over [min, max] (one bucket when they are equal); 0..10 by 1 for the judge. */
export function bucketEdges(signal: string, min: number, max: number, buckets = BUCKETS): number[] {
  if (isJudgeSignal(signal)) return Array.from({ length: 11 }, (_, i) => i);
  if (!(max > min)) return [min, min + 1];
  const edges = Array.from({ length: buckets + 1 }, (_, i) => min + ((max - min) * i) / buckets);
  edges[buckets] = max; // exact, so the maximum falls in the last (closed) bucket
  return edges;
}

/** Every point would be too many to draw: about `max` of them, evenly by index, both ends kept. */
export function downsample<T>(points: T[], max = ROC_POINTS): T[] {
  if (points.length <= max) return points;
  const step = (points.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => points[Math.round(i * step)]);
}

export interface SignalVsHumanOptions {
  datasetId: number;
  signal: string;
  maxPairs?: number;
}

/**
 * How well a signal predicts the human decision: on decided items whose current candidate has
 * the signal, ROC AUC (with interval) for predicting accept, the ROC curve and the accept rate
 * per score bucket. Bounded in time and memory: when the signal has more than `maxPairs` rows,
 * only the rows of a hash sample of items (fraction maxPairs / rows) are read, so the random
 * item reads stay about maxPairs; the pairs stream into typed arrays of that size (a seeded
 * reservoir keeps the rare overflow uniform).
 */
export function signalVsHuman(db: Db, { datasetId, signal, maxPairs = MAX_PAIRS }: SignalVsHumanOptions): SignalVsHuman {
  const signalRows = statement<[number, string], number>(db, SIGNAL_ROWS).pluck().get(datasetId, signal) ?? 0;
  const sampleFraction = signalRows > maxPairs ? maxPairs / signalRows : 1;
  const threshold = Math.ceil(sampleFraction * HASH_RANGE);

  const values = new Float64Array(maxPairs);
  const labels = new Uint8Array(maxPairs);
  const random = seededRandom(datasetId);
  let pairs = 0;
  const rows = statement<[{ datasetId: number; signal: string; threshold: number }], [number, number]>(db, SIGNAL_PAIRS)
    .raw()
    .iterate({ datasetId, signal, threshold });
  for (const [value, accepted] of rows) {
    // Algorithm R: past maxPairs, each pair replaces a random kept one with probability maxPairs / pairs.
    const slot = pairs < maxPairs ? pairs : Math.floor(random() * (pairs + 1));
    pairs++;
    if (slot >= maxPairs) continue;
    values[slot] = value;
    labels[slot] = accepted;
  }

  const n = Math.min(pairs, maxPairs);
  const scores = Array.from(values.subarray(0, n));
  const positives = Array.from(labels.subarray(0, n), (label) => label === 1);
  const accepted = positives.reduce((sum, p) => sum + (p ? 1 : 0), 0);
  let min = Infinity;
  let max = -Infinity;
  for (const s of scores) {
    if (s < min) min = s;
    if (s > max) max = s;
  }
  const range = n ? { min, max } : null;
  return {
    datasetId,
    signal,
    signalRows,
    sampleFraction,
    pairs,
    n,
    sampled: sampleFraction < 1 || pairs > n,
    accepted,
    rejected: n - accepted,
    range,
    auc: aucInterval(scores, positives),
    roc: downsample(rocCurve(scores, positives)).map((p) => ({ ...p, threshold: Number.isFinite(p.threshold) ? p.threshold : null })),
    buckets: range ? bucketRates(scores, positives, bucketEdges(signal, range.min, range.max)) : [],
  };
}
