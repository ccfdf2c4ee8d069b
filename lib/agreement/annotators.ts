import { median } from './quantile';

export type Decision = 'accept' | 'reject';

export interface VerdictRow {
  reviewer: string;
  itemId: number;
  decision: Decision;
  /** ms since the epoch. */
  createdAt: number;
  msSpent: number | null;
}

/** A reviewer's verdict on an item whose right answer is known in advance. */
export interface GoldAnswer {
  reviewer: string;
  itemId: number;
  decision: Decision;
  expected: Decision;
}

export interface Tally {
  total: number;
  /** Null when total is 0. */
  rate: number | null;
}

export interface AnnotatorStats {
  reviewer: string;
  /** Distinct items given a verdict. */
  items: number;
  verdicts: number;
  /** Verdicts per hour of active time (see activeTimeMs); null with fewer than 2 verdicts. */
  verdictsPerHour: number | null;
  /** Median of the recorded msSpent; null when none was recorded. */
  medianMsPerItem: number | null;
  /** Null only for a reviewer with gold answers but no verdicts. */
  acceptRate: number | null;
  /** Verdicts on adjudicated items that match the adjudicated outcome. */
  adjudicatedAgreement: Tally & { agreed: number };
  goldAccuracy: Tally & { correct: number };
}

/** Longest gap between two verdicts that still counts as working; longer ones are breaks. */
export const MAX_ACTIVE_GAP_MS = 10 * 60_000;

const HOUR_MS = 3_600_000;

/**
 * Active time behind a series of verdict timestamps. Each gap between consecutive verdicts is
 * time spent on the later one, capped at MAX_ACTIVE_GAP_MS so lunch or an overnight pause does
 * not count as work. The first verdict has no gap before it, so it is charged the median
 * (capped) gap. Null with fewer than 2 timestamps: no gap to measure.
 */
export function activeTimeMs(timestamps: readonly number[]): number | null {
  if (timestamps.length < 2) return null;
  const sorted = [...timestamps].sort((x, y) => x - y);
  const gaps = sorted.slice(1).map((t, i) => Math.min(t - sorted[i], MAX_ACTIVE_GAP_MS));
  return gaps.reduce((sum, gap) => sum + gap, 0) + median(gaps)!;
}

const rate = (hits: number, total: number) => (total === 0 ? null : hits / total);

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

/**
 * Per-reviewer throughput and quality, sorted by reviewer name. `outcomes` holds the decided
 * outcome of adjudicated items; every verdict on such an item is compared with it. Reviewers
 * appearing only in `gold` are listed too, with zero verdicts.
 */
export function annotatorStats(
  verdicts: readonly VerdictRow[],
  outcomes: ReadonlyMap<number, Decision> = new Map(),
  gold: readonly GoldAnswer[] = [],
): AnnotatorStats[] {
  const verdictsBy = groupBy(verdicts, (v) => v.reviewer);
  const goldBy = groupBy(gold, (g) => g.reviewer);
  const reviewers = [...new Set([...verdictsBy.keys(), ...goldBy.keys()])].sort();

  return reviewers.map((reviewer) => {
    const rows = verdictsBy.get(reviewer) ?? [];
    const answers = goldBy.get(reviewer) ?? [];

    const active = activeTimeMs(rows.map((r) => r.createdAt));
    const spent = rows.flatMap((r) => (r.msSpent === null ? [] : [r.msSpent]));
    const accepted = rows.filter((r) => r.decision === 'accept').length;
    const adjudicated = rows.filter((r) => outcomes.has(r.itemId));
    const agreed = adjudicated.filter((r) => outcomes.get(r.itemId) === r.decision).length;
    const correct = answers.filter((g) => g.decision === g.expected).length;

    return {
      reviewer,
      items: new Set(rows.map((r) => r.itemId)).size,
      verdicts: rows.length,
      // All verdicts at one instant leave no active time to divide by.
      verdictsPerHour: active ? rows.length / (active / HOUR_MS) : null,
      medianMsPerItem: median(spent),
      acceptRate: rate(accepted, rows.length),
      adjudicatedAgreement: { agreed, total: adjudicated.length, rate: rate(agreed, adjudicated.length) },
      goldAccuracy: { correct, total: answers.length, rate: rate(correct, answers.length) },
    };
  });
}
