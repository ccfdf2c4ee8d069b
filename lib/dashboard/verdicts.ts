import type { Db } from '@/db';
import { statement } from '@/db/statements';

export const DAY_MS = 86_400_000;

export interface VerdictDay {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  /** Start of the day, ms. */
  start: number;
  accept: number;
  reject: number;
  skip: number;
}

export interface VerdictsPerDayOptions {
  datasetId?: number;
  /** Days ending with today (UTC), today included. */
  days?: number;
  /** "Now" (ms), for tests and the benchmark. */
  now?: number;
}

type DayRow = { day: number; accept: number; reject: number; skip: number };

/*
 * verdict_day_counts holds the live review verdicts per dataset and UTC day, kept by triggers in
 * each verdict's own transaction (db/migrations/0017_dashboard_counts.sql): a verdict adds one to
 * its day, an undo takes it off again. So a window is one row per dataset and day, whatever the
 * number of verdicts: no count, no cache, nothing to catch up on.
 */
const DAYS_ALL = `SELECT day, sum(accept) AS accept, sum(reject) AS reject, sum(skip) AS skip
  FROM verdict_day_counts WHERE day >= ? AND day < ? GROUP BY day`;
const DAYS_OF_DATASET = `SELECT day, accept, reject, skip FROM verdict_day_counts WHERE dataset_id = ? AND day >= ? AND day < ?`;

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const dayStart = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/**
 * Live review verdicts per UTC day (accept, reject, skip) for the last `days` days, today
 * included, every day present. Undone verdicts and the undo rows themselves do not count;
 * gold and adjudication verdicts are not reviews and do not either.
 */
export function verdictsPerDay(db: Db, { datasetId, days = 30, now = Date.now() }: VerdictsPerDayOptions = {}): VerdictDay[] {
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new RangeError('days must be an integer from 1 to 366');
  const since = dayStart(now) - (days - 1) * DAY_MS;
  const until = since + days * DAY_MS;
  const rows =
    datasetId === undefined
      ? statement<[number, number], DayRow>(db, DAYS_ALL).all(since, until)
      : statement<[number, number, number], DayRow>(db, DAYS_OF_DATASET).all(datasetId, since, until);
  const byDay = new Map(rows.map((row) => [row.day, row]));
  return Array.from({ length: days }, (_, i) => {
    const start = since + i * DAY_MS;
    const counts = byDay.get(start);
    return { day: isoDay(start), start, accept: counts?.accept ?? 0, reject: counts?.reject ?? 0, skip: counts?.skip ?? 0 };
  });
}
