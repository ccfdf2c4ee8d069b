import type Database from 'better-sqlite3';
import type { Db } from '@/db';
import { readTransaction } from '@/db/transaction';
import { statement } from '@/db/statements';
import type { ItemStatus } from '@/db/schema';
import { annotatorStats, type AnnotatorStats, type Decision, type GoldAnswer, type VerdictRow } from '@/lib/agreement/annotators';
import { agreementSummary, type AgreementSummary, type BootstrapOptions, type Rating } from '@/lib/agreement/stats';
import { actorNames } from '@/lib/auth/actors';
import { offThread, type OffloadTask } from '@/lib/offload/pool';

/** One reviewer's figures: `reviewer` is their username now, `reviewerId` their user id (lib/auth/actors.ts). */
export type NamedAnnotatorStats = AnnotatorStats & { reviewerId: string };

export interface TeamStats {
  dataset: { id: number; name: string; overlap: number; goldRate: number };
  /** Verdicts given at or after this time (ms) only; null: all of them. */
  since: number | null;
  /** The agreement and annotator figures include every verdict up to this time (ms); see TeamStatsOptions.maxStaleMs. */
  asOf: number;
  /** 'team': everyone's numbers (leads); 'self': one annotator's own row (see annotatorView). */
  scope: 'team' | 'self';
  /**
   * Over live review verdicts (accept/reject, not undone): items are the units, reviewers the
   * raters. `resamples`: bootstrap resamples behind each 95% CI (see resamplesFor).
   */
  agreement: AgreementSummary & { resamples: number };
  annotators: NamedAnnotatorStats[];
  /** The dataset's items by status now, whatever `since` is. */
  counts: Record<ItemStatus, number>;
  goldItems: number;
}

export interface TeamStatsOptions {
  datasetId: number;
  since?: number;
  /** Bootstrap settings; without `iterations`, resamplesFor(paired items) is used. */
  bootstrap?: BootstrapOptions;
  /**
   * How old cached figures may be once new verdicts came in. By default 0 (always current)
   * unless they were costly (over SLOW_WORK items resampled): then STALE_MS, so a busy
   * team's page views do not each spend a second or more of the server's thread on the bootstrap.
   */
  maxStaleMs?: number;
}

/** Paired items × resamples above which figures are worth reusing a while (a sizeable fraction of a second). */
export const SLOW_WORK = 2_000_000;
export const STALE_MS = 30_000;

export const MAX_RESAMPLES = 1000;
export const MIN_RESAMPLES = 200;
/**
 * Items resampled in all, per statistic (see resamplesFor). Measured: 100k verdicts (49k paired
 * items, 204 resamples) take about 3 s of CPU in all, most of it in the bootstrap.
 */
const RESAMPLE_BUDGET = 10_000_000;

/**
 * Bootstrap resamples for a number of paired items. Each resample walks every item, so cost
 * grows with items × resamples: 1000 up to 10k paired items, then fewer, never under 200.
 * Large samples have narrow intervals, where 200 resamples place the 2.5% and 97.5% points
 * well enough; small ones, where the interval matters most, get the full 1000.
 */
export function resamplesFor(pairedItems: number): number {
  if (pairedItems <= 0) return MAX_RESAMPLES;
  return Math.max(MIN_RESAMPLES, Math.min(MAX_RESAMPLES, Math.floor(RESAMPLE_BUDGET / pairedItems)));
}

/* A raw row of the verdict scan: [item_id, reviewer, decision, kind, gold_expected, ms_spent, created_at, id]. */
type ScanRow = [number, string, Decision, 'review' | 'gold' | 'adjudication', Decision | null, number | null, number, number];

/*
 * Every live accept/reject verdict of the dataset, driven by the verdicts (CROSS JOIN keeps
 * verdicts the outer loop, so the cost follows the verdicts read, never the dataset's item
 * count); with `since`, a range of the verdicts_created index. Liveness is one probe of the
 * partial verdicts_undoes index per row. Undo rows themselves have decision 'undo'.
 */
const SCAN_COLUMNS = `v.item_id, v.reviewer, v.decision, v.kind, v.gold_expected, v.ms_spent, v.created_at, v.id`;
const SCAN_WHERE = `i.id = v.item_id AND i.dataset_id = ? AND v.decision IN ('accept', 'reject')
  AND NOT EXISTS (SELECT 1 FROM verdicts u WHERE u.undoes_verdict_id = v.id)`;
const SCAN_ALL = `SELECT ${SCAN_COLUMNS} FROM verdicts v CROSS JOIN items i WHERE ${SCAN_WHERE}`;
const SCAN_SINCE = `SELECT ${SCAN_COLUMNS} FROM verdicts v INDEXED BY verdicts_created CROSS JOIN items i
  WHERE v.created_at >= ? AND ${SCAN_WHERE}`;

interface Scanned {
  reviews: VerdictRow[];
  outcomes: Map<number, Decision>;
  gold: GoldAnswer[];
  pairedItems: number;
}

/**
 * Reads the verdicts in one synchronous pass (the cursor never outlives this function) into
 * the compact rows the statistics take. Reviewer names are interned: better-sqlite3 makes a
 * new string per row, and 100k copies of a few names would be most of the memory.
 */
function scanVerdicts(db: Db, datasetId: number, since: number | undefined): Scanned {
  const names = new Map<string, string>();
  const intern = (name: string) => {
    const known = names.get(name);
    if (known !== undefined) return known;
    names.set(name, name);
    return name;
  };
  const reviews: VerdictRow[] = [];
  const gold: GoldAnswer[] = [];
  // The latest live adjudication per item wins, as in deriveStatus: latest by id.
  const adjudications = new Map<number, { id: number; decision: Decision }>();
  // An item's first reviewer, or null once a second one rated it: counts the paired items.
  const firstRater = new Map<number, string | null>();
  let pairedItems = 0;

  const rows =
    since === undefined
      ? statement<[number], ScanRow>(db, SCAN_ALL).raw().iterate(datasetId)
      : statement<[number, number], ScanRow>(db, SCAN_SINCE).raw().iterate(since, datasetId);
  for (const [itemId, reviewer, decision, kind, expected, msSpent, createdAt, id] of rows) {
    if (kind === 'review') {
      const name = intern(reviewer);
      reviews.push({ reviewer: name, itemId, decision, createdAt, msSpent });
      const first = firstRater.get(itemId);
      if (first === undefined) firstRater.set(itemId, name);
      else if (first !== null && first !== name) {
        firstRater.set(itemId, null);
        pairedItems++;
      }
    } else if (kind === 'gold') {
      if (expected !== null) gold.push({ reviewer: intern(reviewer), itemId, decision, expected });
    } else {
      const previous = adjudications.get(itemId);
      if (!previous || previous.id < id) adjudications.set(itemId, { id, decision });
    }
  }
  const outcomes = new Map<number, Decision>();
  for (const [itemId, { decision }] of adjudications) outcomes.set(itemId, decision);
  return { reviews, outcomes, gold, pairedItems };
}

function statusCounts(db: Db, datasetId: number): Record<ItemStatus, number> {
  const counts: Record<ItemStatus, number> = { pending: 0, accepted: 0, rejected: 0, disputed: 0 };
  const rows = statement<[number], { status: string; n: number }>(
    db,
    'SELECT status, sum(n) AS n FROM item_counts WHERE dataset_id = ? GROUP BY status',
  ).all(datasetId);
  for (const { status, n } of rows) if (status in counts) counts[status as ItemStatus] = n;
  return counts;
}

/** The figures as computed and cached: keyed on user ids, named only when read (see named). */
type Computed = Pick<TeamStats, 'agreement' | 'asOf'> & { annotators: AnnotatorStats[] };

/**
 * The figures with people shown by their current username (renames show at once; the
 * figures stay keyed on the user id), annotators sorted by name.
 */
function named(db: Db, computed: Computed): Pick<TeamStats, 'agreement' | 'annotators' | 'asOf'> {
  const { agreement, annotators } = computed;
  const names = actorNames(db, [...annotators.map((a) => a.reviewer), ...agreement.pairs.flatMap((p) => [p.a, p.b])]);
  const name = (actor: string) => names.get(actor) ?? actor;
  return {
    ...computed,
    agreement: { ...agreement, pairs: agreement.pairs.map((p) => ({ ...p, a: name(p.a), b: name(p.b) })) },
    annotators: annotators
      .map((a) => ({ ...a, reviewer: name(a.reviewer), reviewerId: a.reviewer }))
      .sort((x, y) => x.reviewer.localeCompare(y.reviewer) || x.reviewerId.localeCompare(y.reviewerId)),
  };
}

/*
 * The statistics of recent calls per connection, keyed by their arguments and current while
 * the newest verdict id is the same: verdicts are append-only and an undo is a new row, so
 * any change to the log moves it. A reload of the team page then costs a few small queries
 * instead of the bootstrap (about 3 s of CPU at 100k verdicts).
 */
const CACHE_SIZE = 16;
interface CacheEntry {
  /** The newest verdict id when the figures were read. */
  watermark: number;
  computed: Computed;
  /** Paired items × resamples: what computing it cost. */
  work: number;
  /** A refresh is running on the offload worker. */
  refreshing?: boolean;
}
const computedCache = new WeakMap<Database.Database, Map<string, CacheEntry>>();

function cacheOf(db: Db) {
  let entries = computedCache.get(db.$client);
  if (!entries) computedCache.set(db.$client, (entries = new Map()));
  return entries;
}

function remember(db: Db, key: string, entry: CacheEntry) {
  const entries = cacheOf(db);
  const known = entries.get(key);
  if (known && known.watermark > entry.watermark) return; // a newer one came back first
  entries.delete(key);
  entries.set(key, entry);
  // Maps iterate in insertion order: drop the oldest.
  while (entries.size > CACHE_SIZE) entries.delete(entries.keys().next().value!);
}

function compute({ reviews, outcomes, gold, pairedItems }: Scanned, bootstrap: BootstrapOptions, asOf: number): Computed {
  const ratings: Rating[] = reviews.map((r) => ({ item: r.itemId, rater: r.reviewer, label: r.decision }));
  const resamples = bootstrap.iterations ?? resamplesFor(pairedItems);
  return {
    agreement: { ...agreementSummary(ratings, { ...bootstrap, iterations: resamples }), resamples },
    annotators: annotatorStats(reviews, outcomes, gold),
    asOf,
  };
}

/**
 * The verdict scan and the statistics of one dataset, read in one snapshot; null when the
 * dataset does not exist. The costly part of teamStats: it runs on the offload worker
 * (TEAM_FIGURES), or here for a first figure the page needs at once.
 */
export function teamFigures(db: Db, datasetId: number, since: number | null, bootstrap: BootstrapOptions): CacheEntry | null {
  const read = readTransaction(db, () => {
    if (!statement<[number], number>(db, 'SELECT 1 FROM datasets WHERE id = ?').pluck().get(datasetId)) return null;
    const watermark = statement<[], number | null>(db, 'SELECT max(id) FROM verdicts').pluck().get() ?? 0;
    return { watermark, scanned: scanVerdicts(db, datasetId, since ?? undefined), readAt: Date.now() };
  });
  if (!read) return null;
  const computed = compute(read.scanned, bootstrap, read.readAt);
  return { watermark: read.watermark, computed, work: read.scanned.pairedItems * computed.agreement.resamples };
}

/** teamFigures on the offload worker (lib/offload/pool.ts), whose connection has its own cache. */
const TEAM_FIGURES: OffloadTask<[datasetId: number, since: number | null, bootstrap: BootstrapOptions], CacheEntry | null> = {
  module: 'lib/team/stats.ts',
  name: 'teamFigures',
  run: teamFigures,
};

/** What is read on every call: cheap (the dataset row, the verdict watermark, item_counts). */
interface Snapshot {
  dataset: TeamStats['dataset'];
  watermark: number;
  goldItems: number;
  counts: TeamStats['counts'];
  readAt: number;
}

function snapshot(db: Db, datasetId: number): Snapshot | undefined {
  return readTransaction(db, () => {
    const dataset = statement<[number], TeamStats['dataset']>(
      db,
      'SELECT id, name, overlap, gold_rate AS goldRate FROM datasets WHERE id = ?',
    ).get(datasetId);
    if (!dataset) return undefined;
    const watermark = statement<[], number | null>(db, 'SELECT max(id) FROM verdicts').pluck().get() ?? 0;
    const goldItems = statement<[number], number>(db, 'SELECT count(*) FROM gold_items WHERE dataset_id = ?').pluck().get(datasetId)!;
    return { dataset, watermark, goldItems, counts: statusCounts(db, datasetId), readAt: Date.now() };
  });
}

/** How a call's cached figures stand: current enough, stale but worth showing while refreshed, or missing. */
function standing(entry: CacheEntry | undefined, now: Snapshot, maxStaleMs: number | undefined): 'use' | 'stale' | 'compute' {
  if (!entry) return 'compute';
  if (entry.watermark === now.watermark) {
    entry.computed = { ...entry.computed, asOf: now.readAt }; // unchanged log: current as of now
    return 'use';
  }
  const staleOk = maxStaleMs ?? (entry.work > SLOW_WORK ? STALE_MS : 0);
  if (staleOk > 0 && now.readAt - entry.computed.asOf <= staleOk) return 'use';
  // Costly figures are shown as they were (with their age) while new ones are computed off the server's thread.
  return maxStaleMs === undefined && entry.work > SLOW_WORK ? 'stale' : 'compute';
}

function keyOf({ datasetId, since, bootstrap = {} }: TeamStatsOptions) {
  return JSON.stringify([datasetId, since ?? null, bootstrap]);
}

/** Computes a call's figures on the offload worker into this connection's cache; one at a time per call. */
function refresh(db: Db, options: TeamStatsOptions, entry?: CacheEntry): Promise<CacheEntry | null> {
  if (entry) entry.refreshing = true;
  const key = keyOf(options);
  return offThread(db, TEAM_FIGURES, options.datasetId, options.since ?? null, options.bootstrap ?? {})
    .then((fresh) => {
      if (fresh) remember(db, key, fresh);
      return fresh;
    })
    .finally(() => {
      if (entry) entry.refreshing = false;
    });
}

function withFigures(db: Db, now: Snapshot, since: number | undefined, computed: Computed): TeamStats {
  return {
    dataset: now.dataset,
    since: since ?? null,
    scope: 'team',
    ...named(db, computed),
    counts: now.counts,
    goldItems: now.goldItems,
  };
}

/**
 * A dataset's team statistics: inter-annotator agreement over live review verdicts (with
 * bootstrap CIs), per-annotator throughput and quality (agreement with adjudicated outcomes,
 * accuracy on gold items), and item counts. Undefined when the dataset does not exist.
 * Synchronous, for the Team page: figures are computed here only when none are cached for the
 * call; costly ones that went stale are shown with their age while the offload worker computes
 * new ones (teamStatsOffThread never computes here).
 */
export function teamStats(db: Db, options: TeamStatsOptions): TeamStats | undefined {
  const now = snapshot(db, options.datasetId);
  if (!now) return undefined;
  const cached = fromCache(db, options, now);
  if (cached) return cached;
  const fresh = teamFigures(db, options.datasetId, options.since ?? null, options.bootstrap ?? {});
  if (!fresh) return undefined;
  remember(db, keyOf(options), fresh);
  return withFigures(db, now, options.since, fresh.computed);
}

/** teamStats with the figures computed on the offload worker (GET /api/team): the server's thread only reads the cache. */
export async function teamStatsOffThread(db: Db, options: TeamStatsOptions): Promise<TeamStats | undefined> {
  const now = snapshot(db, options.datasetId);
  if (!now) return undefined;
  const cached = fromCache(db, options, now);
  if (cached) return cached;
  const fresh = await refresh(db, options);
  return fresh ? withFigures(db, now, options.since, fresh.computed) : undefined;
}

/**
 * The cached figures when they may be shown: current ones, or costly stale ones (with their age)
 * while a refresh runs off the server's thread. Undefined when they must be computed first.
 */
function fromCache(db: Db, options: TeamStatsOptions, now: Snapshot): TeamStats | undefined {
  const entry = cacheOf(db).get(keyOf(options));
  const state = standing(entry, now, options.maxStaleMs);
  if (state === 'compute') return undefined;
  if (state === 'stale' && !entry!.refreshing) {
    refresh(db, options, entry).catch((error: unknown) => console.error('loupe: team statistics refresh failed', error));
  }
  return withFigures(db, now, options.since, entry!.computed);
}

/**
 * What an annotator who is not a lead may see: their own row and the team-wide agreement
 * figures, without the pairwise table (it names other people and their agreement).
 */
export function annotatorView(stats: TeamStats, userId: string): TeamStats {
  return {
    ...stats,
    scope: 'self',
    agreement: { ...stats.agreement, pairs: [] },
    annotators: stats.annotators.filter((a) => a.reviewerId === userId),
  };
}
