import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDb, type Db } from '@/db';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { markGold, setReviewSettings } from '@/lib/review/gold';
import { adjudicate, recordVerdict, undoLastVerdict } from '@/lib/review/verdicts';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { annotatorView, MAX_RESAMPLES, MIN_RESAMPLES, resamplesFor, SLOW_WORK, STALE_MS, teamStats } from './stats';

let db: Db;
let datasetId: number;
let ids: number[];

const who = (name: string) => ({ holder: `user-${name}:tab-1`, reviewer: name });
const alice = who('alice');
const bob = who('bob');
const carol = who('carol');
const dave = who('dave');

const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const BOB_START = T0 + HOUR;
const CAROL_START = T0 + 2 * HOUR;
const bootstrap = { iterations: 200, seed: 7 };

/**
 * A scripted team on the 12 bundled samples, overlap 2 (items i1..i8 = ids[0..7]):
 *
 *   item  alice  bob   carol   outcome
 *   i1    acc    acc   -       accepted, then gold (expected accept)
 *   i2    rej    rej   -       rejected, then gold (expected reject)
 *   i3    acc    rej   -       disputed, adjudicated accept, then reject (the latest wins)
 *   i4    -      acc   acc     accepted
 *   i5    -      rej   acc     disputed
 *   i6    acc    -     acc     accepted
 *   i7    acc    -     acc     carol's first verdict (reject) is undone
 *   i8    skip   (rej, undone)  pending
 *
 * Gold answers: carol i1 reject (wrong), i2 reject (right); dave answers i1 and undoes it.
 * Alice works every 60 s, Bob every 30 s, Carol with a 19-minute break.
 */
function scriptTeam() {
  setReviewSettings(db, datasetId, { overlap: 2 });
  const [i1, i2, i3, i4, i5, i6, i7, i8] = ids;
  const verdict = (w: typeof alice, itemId: number, decision: 'accept' | 'reject' | 'skip', at: number, msSpent?: number) =>
    recordVerdict(db, w, { itemId, decision, msSpent }, at);

  verdict(alice, i1, 'accept', T0, 1000);
  verdict(alice, i2, 'reject', T0 + 1 * MIN, 2000);
  verdict(alice, i3, 'accept', T0 + 2 * MIN, 3000);
  verdict(alice, i6, 'accept', T0 + 3 * MIN, 4000);
  verdict(alice, i7, 'accept', T0 + 4 * MIN, 5000);
  verdict(alice, i8, 'skip', T0 + 5 * MIN, 9000);

  verdict(bob, i1, 'accept', BOB_START);
  verdict(bob, i2, 'reject', BOB_START + 30 * S);
  verdict(bob, i3, 'reject', BOB_START + 60 * S);
  verdict(bob, i4, 'accept', BOB_START + 90 * S);
  verdict(bob, i5, 'reject', BOB_START + 120 * S);
  verdict(bob, i8, 'reject', BOB_START + 150 * S, 7000);
  undoLastVerdict(db, bob, BOB_START + 155 * S);

  verdict(carol, i4, 'accept', CAROL_START, 2000);
  verdict(carol, i5, 'accept', CAROL_START + 20 * S, 4000);
  verdict(carol, i6, 'accept', CAROL_START + 20 * MIN, 6000);
  verdict(carol, i7, 'reject', CAROL_START + 20 * MIN + 10 * S, 99_999);
  undoLastVerdict(db, carol, CAROL_START + 20 * MIN + 20 * S);
  verdict(carol, i7, 'accept', CAROL_START + 20 * MIN + 40 * S, 8000);

  adjudicate(db, 'lead', { itemId: i3, decision: 'accept' }, CAROL_START + HOUR);
  adjudicate(db, 'lead', { itemId: i3, decision: 'reject' }, CAROL_START + HOUR + S);

  markGold(db, i1, 'lead');
  markGold(db, i2, 'lead');
  verdict(carol, i1, 'reject', CAROL_START + 2 * HOUR);
  verdict(carol, i2, 'reject', CAROL_START + 2 * HOUR + 30 * S);
  verdict(dave, i1, 'accept', CAROL_START + 2 * HOUR + 60 * S);
  undoLastVerdict(db, dave, CAROL_START + 2 * HOUR + 70 * S);
}

beforeEach(async () => {
  db = tempDb().db;
  datasetId = (await importGptEdit(db, SAMPLES_DIR)).datasetId;
  ids = db.$client.prepare('SELECT id FROM items WHERE dataset_id = ? ORDER BY id').pluck().all(datasetId) as number[];
});
afterEach(cleanupTemp);

describe('teamStats', () => {
  it('computes agreement, per-annotator figures and counts of a scripted team by hand', () => {
    scriptTeam();
    const stats = teamStats(db, { datasetId, bootstrap })!;

    expect(stats.dataset).toMatchObject({ id: datasetId, overlap: 2, goldRate: 0 });
    expect(stats.scope).toBe('team');
    expect(stats.since).toBeNull();
    // 12 items: i1, i4, i6, i7 accepted; i2, i3 rejected; i5 disputed; 5 untouched or skipped.
    expect(stats.counts).toEqual({ pending: 5, accepted: 4, rejected: 2, disputed: 1 });
    expect(stats.goldItems).toBe(2);

    const { agreement } = stats;
    // Seven items with two live review ratings each; gold answers and skips are not ratings.
    expect(agreement).toMatchObject({ items: 7, raters: 3, pairedItems: 7 });
    // Agreeing items: i1, i2, i4, i6, i7 -> 5/7.
    expect(agreement.percentAgreement.value).toBeCloseTo(5 / 7, 12);
    // 14 ratings: 10 accept, 4 reject. P_e = (10² + 4²)/14² = 116/196, P_o = 140/196:
    // kappa = (140 - 116)/(196 - 116) = 24/80.
    expect(agreement.fleissKappa.value).toBeCloseTo(0.3, 12);
    // n = 14 pairable values, diagonal O = 5 agreeing items x 2, Σ n_c(n_c-1) = 90 + 12 = 102:
    // alpha = (13·10 - 102)/(14·13 - 102) = 28/80.
    expect(agreement.krippendorffAlpha.value).toBeCloseTo(0.35, 12);
    for (const estimate of [agreement.percentAgreement, agreement.fleissKappa, agreement.krippendorffAlpha]) {
      expect(estimate.ci).not.toBeNull();
      expect(estimate.ci!.low).toBeLessThanOrEqual(estimate.ci!.high);
    }

    const pair = (a: string, b: string) => agreement.pairs.find((p) => p.a === a && p.b === b);
    // alice-bob on i1 (acc, acc), i2 (rej, rej), i3 (acc, rej): p_o = 2/3, margins (2,1) and (1,2),
    // p_e = (2·1 + 1·2)/9 = 4/9, kappa = (6 - 4)/(9 - 4) = 0.4.
    expect(pair('alice', 'bob')).toMatchObject({ n: 3 });
    expect(pair('alice', 'bob')!.agreement).toBeCloseTo(2 / 3, 12);
    expect(pair('alice', 'bob')!.kappa).toBeCloseTo(0.4, 12);
    // alice-carol: both accepted i6 and i7 (carol's undone reject is gone): kappa undefined.
    expect(pair('alice', 'carol')).toMatchObject({ n: 2, agreement: 1, kappa: null, ci: null });
    // bob-carol on i4 (acc, acc), i5 (rej, acc): p_o = 1/2, p_e = (1·2 + 1·0)/4 = 1/2, kappa 0.
    expect(pair('bob', 'carol')).toMatchObject({ n: 2, agreement: 0.5, kappa: 0 });

    const [a, b, c, ...rest] = stats.annotators;
    // dave's only verdict was a gold answer he undid: he is not listed.
    expect(rest).toEqual([]);
    expect(a).toMatchObject({
      reviewer: 'alice',
      items: 5,
      verdicts: 5, // the skip on i8 is not a verdict
      acceptRate: 0.8,
      medianMsPerItem: 3000,
      adjudicatedAgreement: { agreed: 0, total: 1, rate: 0 }, // accepted i3, adjudicated reject
      goldAccuracy: { correct: 0, total: 0, rate: null },
    });
    // Four 60 s gaps plus the median gap for the first verdict: 300 s for 5 verdicts.
    expect(a.verdictsPerHour).toBeCloseTo(60, 9);

    expect(b).toMatchObject({
      reviewer: 'bob',
      items: 5, // the undone reject on i8 does not count
      verdicts: 5,
      acceptRate: 0.4,
      medianMsPerItem: null, // no time recorded (the undone verdict's 7000 ms is gone)
      adjudicatedAgreement: { agreed: 1, total: 1, rate: 1 }, // the latest adjudication (reject) wins
      goldAccuracy: { correct: 0, total: 0, rate: null },
    });
    // 4 x 30 s + 30 s = 150 s for 5 verdicts.
    expect(b.verdictsPerHour).toBeCloseTo(120, 9);

    expect(c).toMatchObject({
      reviewer: 'carol',
      items: 4,
      verdicts: 4,
      acceptRate: 1,
      medianMsPerItem: 5000, // of 2000, 4000, 6000, 8000; not the undone 99 999
      adjudicatedAgreement: { agreed: 0, total: 0, rate: null },
      goldAccuracy: { correct: 1, total: 2, rate: 0.5 },
    });
    // Gaps 20 s, 1180 s (capped at 600 s), 40 s, plus the median 40 s: 700 s for 4 verdicts.
    expect(c.verdictsPerHour).toBeCloseTo((4 * 3600) / 700, 9);
  });

  it('gives the same intervals for the same data (seeded bootstrap)', () => {
    scriptTeam();
    const one = teamStats(db, { datasetId, bootstrap })!;
    // A second connection to the same file: its own (empty) cache, so computed afresh.
    const other = openDb(db.$client.name);
    try {
      const two = teamStats(other, { datasetId, bootstrap })!;
      expect(two.agreement).not.toBe(one.agreement);
      expect(two.agreement).toEqual(one.agreement);
    } finally {
      other.$client.close();
    }
    expect(one.agreement.resamples).toBe(200);
  });

  it('recomputes when the log changes, and only then', () => {
    scriptTeam();
    const before = teamStats(db, { datasetId, bootstrap })!;
    // Cached: the same computed estimates (names are looked up on each read).
    expect(teamStats(db, { datasetId, bootstrap })!.agreement.fleissKappa).toBe(before.agreement.fleissKappa);
    // Erin reviews a fresh item, then undoes it.
    const erin = who('erin');
    recordVerdict(db, erin, { itemId: ids[8], decision: 'accept' }, CAROL_START + 3 * HOUR);
    const after = teamStats(db, { datasetId, bootstrap })!;
    expect(after.annotators.map((a) => a.reviewer)).toEqual(['alice', 'bob', 'carol', 'erin']);
    expect(after.agreement.items).toBe(8);
    undoLastVerdict(db, erin, CAROL_START + 3 * HOUR + S);
    expect(teamStats(db, { datasetId, bootstrap })!.annotators.map((a) => a.reviewer)).toEqual(['alice', 'bob', 'carol']);
    // Figures may be up to maxStaleMs old: then the new verdict is not in them yet.
    const cachedOne = teamStats(db, { datasetId, bootstrap })!;
    recordVerdict(db, erin, { itemId: ids[9], decision: 'reject' }, CAROL_START + 3 * HOUR + 2 * S);
    const stale = teamStats(db, { datasetId, bootstrap, maxStaleMs: 60_000 })!;
    expect(stale.agreement.fleissKappa).toBe(cachedOne.agreement.fleissKappa);
    expect(stale.asOf).toBe(cachedOne.asOf);
    expect(teamStats(db, { datasetId, bootstrap })!.annotators.map((a) => a.reviewer)).toContain('erin');
    // Settings and counts are read every time.
    setReviewSettings(db, datasetId, { overlap: 3 });
    expect(teamStats(db, { datasetId, bootstrap })!.dataset.overlap).toBe(3);
  });

  it('shows costly figures that went stale with their age, and computes new ones on the offload worker', async () => {
    scriptTeam();
    const costly = { iterations: 400_000, seed: 7 };
    const first = teamStats(db, { datasetId, bootstrap: costly })!;
    expect(first.agreement.pairedItems * costly.iterations).toBeGreaterThan(SLOW_WORK);
    recordVerdict(db, who('erin'), { itemId: ids[8], decision: 'accept' }, CAROL_START + 3 * HOUR);
    const clock = vi.spyOn(Date, 'now').mockReturnValue(Date.now() + STALE_MS + 1000);
    try {
      // Past STALE_MS with a new verdict: the old figures at once (not recomputed here), as of when they were read.
      const stale = teamStats(db, { datasetId, bootstrap: costly })!;
      expect(stale.asOf).toBe(first.asOf);
      expect(stale.annotators.map((a) => a.reviewer)).toEqual(['alice', 'bob', 'carol']);
      // The worker's figures land in this connection's cache.
      await vi.waitFor(() => expect(teamStats(db, { datasetId, bootstrap: costly })!.annotators.map((a) => a.reviewer)).toContain('erin'), {
        timeout: 60_000,
        interval: 100,
      });
    } finally {
      clock.mockRestore();
    }
  }, 120_000);

  it('scales the bootstrap down for many items, within bounds', () => {
    expect(resamplesFor(0)).toBe(MAX_RESAMPLES);
    expect(resamplesFor(7)).toBe(MAX_RESAMPLES);
    expect(resamplesFor(10_000)).toBe(1000);
    expect(resamplesFor(20_000)).toBe(500);
    expect(resamplesFor(1_000_000)).toBe(MIN_RESAMPLES);
    scriptTeam();
    expect(teamStats(db, { datasetId })!.agreement.resamples).toBe(MAX_RESAMPLES);
  });

  it('counts only verdicts given since a time', () => {
    scriptTeam();
    const stats = teamStats(db, { datasetId, since: CAROL_START, bootstrap })!;
    expect(stats.since).toBe(CAROL_START);
    // Only carol's verdicts remain: nothing is rated twice, so nothing to agree on.
    expect(stats.agreement).toMatchObject({ items: 4, raters: 1, pairedItems: 0, pairs: [] });
    expect(stats.agreement.fleissKappa).toEqual({ value: null, ci: null });
    expect(stats.annotators.map((a) => a.reviewer)).toEqual(['carol']);
    expect(stats.annotators[0]).toMatchObject({ verdicts: 4, goldAccuracy: { correct: 1, total: 2 } });
    // Counts are the dataset's current state, whatever the window.
    expect(stats.counts.accepted).toBe(4);

    const later = teamStats(db, { datasetId, since: CAROL_START + 3 * HOUR, bootstrap })!;
    expect(later.annotators).toEqual([]);
    expect(later.agreement.items).toBe(0);
  });

  it('answers for an empty dataset and undefined for a missing one', () => {
    const stats = teamStats(db, { datasetId, bootstrap })!;
    expect(stats.annotators).toEqual([]);
    expect(stats.agreement).toMatchObject({ items: 0, pairedItems: 0, pairs: [] });
    expect(stats.agreement.percentAgreement.value).toBeNull();
    expect(stats.counts).toEqual({ pending: 12, accepted: 0, rejected: 0, disputed: 0 });
    expect(teamStats(db, { datasetId: datasetId + 100 })).toBeUndefined();
  });
});

describe('annotatorView', () => {
  it("keeps the user's own row and the team figures, and drops pairwise and other people's data", () => {
    scriptTeam();
    const stats = teamStats(db, { datasetId, bootstrap })!;
    const view = annotatorView(stats, 'bob');
    expect(view.scope).toBe('self');
    expect(view.annotators.map((a) => a.reviewer)).toEqual(['bob']);
    expect(view.agreement.pairs).toEqual([]);
    expect(view.agreement.fleissKappa).toEqual(stats.agreement.fleissKappa);
    expect(JSON.stringify(view)).not.toMatch(/alice|carol/);
    // Someone with no verdicts yet sees no rows at all.
    expect(annotatorView(stats, 'erin').annotators).toEqual([]);
  });
});
