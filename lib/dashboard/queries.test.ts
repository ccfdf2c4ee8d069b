import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { claimItems, type Claimant } from '@/lib/review/queue';
import { recordVerdict, undoLastVerdict } from '@/lib/review/verdicts';
import { stratifiedProportion, wilsonInterval } from '@/lib/stats/proportion';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import {
  auditSummary,
  bucketEdges,
  dashboardSummary,
  downsample,
  progressByTask,
  regenerationSummary,
  signalNames,
  signalVsHuman,
  verdictsPerDay,
} from './queries';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** "Now" in every test: noon UTC, so D-1 and D-2 are whole days back. */
const NOW = Date.UTC(2026, 10, 27, 12);
const TODAY = Date.UTC(2026, 10, 27);
const ago = (days: number, hours = 0) => NOW - days * DAY + hours * HOUR;

const alice: Claimant = { holder: 'page-a', reviewer: 'alice' };
const bob: Claimant = { holder: 'page-b', reviewer: 'bob' };
const carol: Claimant = { holder: 'page-c', reviewer: 'carol' };

let db: Db;
let a: number;

/** A second, smaller dataset: the 3 hqedit samples. Dataset "a" is then the larger side of a filter (scope.ts). */
const importSmall = async () => (await importGptEdit(db, path.join(SAMPLES_DIR, 'hqedit'), { dataset: 'b' })).datasetId;

/** Claims the reviewer's next item in queue order and decides it; returns the item id. */
function decide(datasetId: number, who: Claimant, decision: 'accept' | 'reject' | 'skip', now: number): number {
  const [itemId] = claimItems(db, { datasetId }, who, 1, now);
  expect(itemId).toBeDefined();
  recordVerdict(db, who, { itemId, decision }, now);
  return itemId;
}

const sql = (text: string, ...params: unknown[]) => db.$client.prepare(text).run(...params);
const one = <T>(text: string, ...params: unknown[]) =>
  db.$client
    .prepare(text)
    .pluck()
    .get(...params) as T;
const taskOf = (itemId: number) =>
  db.$client.prepare('SELECT family, task FROM items WHERE id = ?').get(itemId) as { family: string; task: string };
const currentCandidate = (itemId: number) => one<number>('SELECT current_candidate_id FROM items WHERE id = ?', itemId);

/**
 * The story every test starts from (dataset "a", the 12 bundled samples, overlap 1):
 * x1 accepted 40 days ago; x2 accepted and x3 rejected 2 days ago; x4 skipped by alice
 * yesterday, accepted by bob yesterday and undone an hour later, rejected by bob today;
 * x5 accepted by alice today and undone (pending again); a gold verdict today (never counts).
 */
let x: number[];
async function story() {
  ({ db } = tempDb());
  a = (await importGptEdit(db, SAMPLES_DIR, { dataset: 'a' })).datasetId;
  const x1 = decide(a, alice, 'accept', ago(40));
  const x2 = decide(a, alice, 'accept', ago(2));
  const x3 = decide(a, alice, 'reject', ago(2, 1));
  const x4 = decide(a, alice, 'skip', ago(1));
  expect(decide(a, bob, 'accept', ago(1, 1))).toBe(x4); // alice's skip left it pending
  expect(undoLastVerdict(db, bob, ago(1, 2))?.itemId).toBe(x4);
  expect(decide(a, bob, 'reject', ago(0, -1))).toBe(x4); // the undo leased it back to bob's page
  const x5 = decide(a, alice, 'accept', ago(0, -2));
  expect(undoLastVerdict(db, alice, ago(0, -1))?.itemId).toBe(x5);
  const [x6] = claimItems(db, { datasetId: a }, carol, 1, ago(0, -3));
  sql(
    `INSERT INTO verdicts (item_id, reviewer, decision, kind, gold_expected, created_at) VALUES (?, 'carol', 'accept', 'gold', 'accept', ?)`,
    x6,
    ago(0, -3),
  );
  x = [x1, x2, x3, x4, x5, x6];
}

beforeEach(story);
afterEach(cleanupTemp);

describe('progressByTask', () => {
  it('counts items by family/task and status from item_counts, with the accept rate of decided items', () => {
    const { tasks, overall } = progressByTask(db, a);
    expect(overall).toMatchObject({ total: 12, pending: 8, accepted: 2, rejected: 2, disputed: 0 });
    expect(overall.acceptRate).toEqual(wilsonInterval(2, 4));
    expect(overall.acceptRate!.estimate).toBe(0.5);

    expect(tasks).toHaveLength(11); // hqedit/edit holds 2 of the 12 samples
    expect(taskOf(x[0])).toEqual({ family: 'hqedit', task: 'edit' });
    expect(taskOf(x[1])).toEqual({ family: 'hqedit', task: 'edit' });
    const edit = tasks.find((t) => t.family === 'hqedit' && t.task === 'edit')!;
    expect(edit).toMatchObject({ total: 2, pending: 0, accepted: 2, rejected: 0 });
    expect(edit.acceptRate).toEqual(wilsonInterval(2, 2));
    const x3Task = tasks.find((t) => t.family === taskOf(x[2]).family && t.task === taskOf(x[2]).task)!;
    expect(x3Task).toMatchObject({ total: 1, accepted: 0, rejected: 1 });
    expect(x3Task.acceptRate!.estimate).toBe(0);
    const x5Task = tasks.find((t) => t.family === taskOf(x[4]).family && t.task === taskOf(x[4]).task)!;
    expect(x5Task).toMatchObject({ total: 1, pending: 1, accepted: 0, rejected: 0, acceptRate: null });
    // Sorted by family, then task.
    const keys = tasks.map((t) => `${t.family}/${t.task}`);
    expect(keys).toEqual([...keys].sort());
  });

  it('sums every dataset without a filter', async () => {
    await importGptEdit(db, SAMPLES_DIR, { dataset: 'b' });
    expect(progressByTask(db).overall).toMatchObject({ total: 24, pending: 20, accepted: 2, rejected: 2 });
    expect(progressByTask(db, a).overall.total).toBe(12);
  });
});

describe('verdictsPerDay', () => {
  it('counts live review verdicts per UTC day: undone verdicts, undo rows and gold verdicts do not count', () => {
    const days = verdictsPerDay(db, { datasetId: a, now: NOW });
    expect(days).toHaveLength(30);
    expect(days.at(-1)).toEqual({ day: '2026-11-27', start: TODAY, accept: 0, reject: 1, skip: 0 });
    expect(days.at(-2)).toEqual({ day: '2026-11-26', start: TODAY - DAY, accept: 0, reject: 0, skip: 1 });
    expect(days.at(-3)).toEqual({ day: '2026-11-25', start: TODAY - 2 * DAY, accept: 1, reject: 1, skip: 0 });
    expect(days[0].day).toBe('2026-10-29');
    const sum = (key: 'accept' | 'reject' | 'skip') => days.reduce((s, d) => s + d[key], 0);
    expect([sum('accept'), sum('reject'), sum('skip')]).toEqual([1, 2, 1]);
    // 60 days reach x1's accept 40 days ago.
    const longer = verdictsPerDay(db, { datasetId: a, days: 60, now: NOW });
    expect(longer.find((d) => d.start === TODAY - 40 * DAY)).toMatchObject({ accept: 1, reject: 0, skip: 0 });
  });

  it('filters by dataset when there are several, and sums them without a filter', async () => {
    const b = await importSmall();
    decide(b, carol, 'accept', ago(0, -4));
    const y = decide(b, carol, 'accept', ago(0, -4));
    undoLastVerdict(db, carol, ago(0, -5)); // an undo stamped before its verdict still takes it off
    expect(one<string>('SELECT status FROM items WHERE id = ?', y)).toBe('pending');
    expect(decide(b, carol, 'reject', ago(3))).toBe(y); // leased back to carol's page
    expect(verdictsPerDay(db, { datasetId: a, now: NOW }).at(-1)).toMatchObject({ accept: 0, reject: 1 });
    expect(verdictsPerDay(db, { datasetId: b, now: NOW }).at(-1)).toMatchObject({ accept: 1, reject: 0 });
    expect(verdictsPerDay(db, { now: NOW }).at(-1)).toMatchObject({ accept: 1, reject: 1, skip: 0 });
    // Each dataset (a: the larger side, counted as all minus b; b: its own items) against a plain join.
    const reference = (datasetId: number) =>
      db.$client
        .prepare(
          `SELECT CAST((v.created_at - ?) / ${DAY} AS INTEGER) AS day, v.decision, count(*) AS n FROM verdicts v JOIN items i ON i.id = v.item_id
           WHERE i.dataset_id = ? AND v.kind = 'review' AND v.decision != 'undo' AND v.created_at >= ?
             AND NOT EXISTS (SELECT 1 FROM verdicts u WHERE u.undoes_verdict_id = v.id)
           GROUP BY day, v.decision ORDER BY day, v.decision`,
        )
        .all(TODAY - 29 * DAY, datasetId, TODAY - 29 * DAY);
    for (const datasetId of [a, b]) {
      const found = verdictsPerDay(db, { datasetId, now: NOW }).flatMap((d, day) =>
        (['accept', 'reject', 'skip'] as const).filter((k) => d[k] !== 0).map((decision) => ({ day, decision, n: d[decision] })),
      );
      expect(found).toEqual(reference(datasetId));
    }
  });

  /** verdict_day_counts (kept by triggers) against a recount of the verdicts: every dataset and day. */
  const kept = () =>
    db.$client
      .prepare('SELECT dataset_id, day, accept, reject, skip FROM verdict_day_counts WHERE accept + reject + skip > 0 ORDER BY 1, 2')
      .all();
  const recount = () =>
    db.$client
      .prepare(
        `SELECT i.dataset_id, v.created_at / ${DAY} * ${DAY} AS day, count(*) FILTER (WHERE v.decision = 'accept') AS accept,
           count(*) FILTER (WHERE v.decision = 'reject') AS reject, count(*) FILTER (WHERE v.decision = 'skip') AS skip
         FROM verdicts v JOIN items i ON i.id = v.item_id
         WHERE v.kind = 'review' AND v.decision IN ('accept', 'reject', 'skip')
           AND NOT EXISTS (SELECT 1 FROM verdicts u WHERE u.undoes_verdict_id = v.id)
         GROUP BY 1, 2 ORDER BY 1, 2`,
      )
      .all();
  const expectExact = () => {
    expect(kept()).toEqual(recount());
    expect(one<number>('SELECT count(*) FROM verdict_day_counts WHERE min(accept, reject, skip) < 0')).toBe(0);
  };

  it("keeps its counts in each verdict's transaction, equal to a recount after verdicts, undos, other kinds and deletes", async () => {
    const b = await importSmall();
    expectExact();
    const before = verdictsPerDay(db, { now: NOW });
    expect(before.at(-1)).toMatchObject({ accept: 0, reject: 1 });
    // New today: an accept in a, an accept in b then undone; and a reject stamped 5 days ago.
    decide(a, carol, 'accept', ago(0, -1));
    decide(b, bob, 'accept', ago(0, -1));
    undoLastVerdict(db, bob, ago(0, -1));
    decide(a, bob, 'reject', ago(5));
    expectExact();
    // alice undoes her skip of x4 from yesterday (her latest live verdict after x5's undo).
    expect(undoLastVerdict(db, alice, NOW)?.itemId).toBe(x[3]);
    // An adjudication is not a review; a second undo row of one verdict takes nothing off twice.
    sql(`INSERT INTO verdicts (item_id, reviewer, decision, kind, created_at) VALUES (?, 'lead', 'accept', 'adjudication', ?)`, x[2], NOW);
    const undone = one<number>('SELECT undoes_verdict_id FROM verdicts WHERE undoes_verdict_id IS NOT NULL ORDER BY id DESC LIMIT 1');
    sql(
      `INSERT INTO verdicts (item_id, reviewer, decision, undoes_verdict_id, created_at) SELECT item_id, 'x', 'undo', id, ? FROM verdicts WHERE id = ?`,
      NOW,
      undone,
    );
    expectExact();
    const after = verdictsPerDay(db, { now: NOW });
    expect(after.at(-1)).toMatchObject({ accept: 1, reject: 1, skip: 0 });
    expect(verdictsPerDay(db, { datasetId: a, now: NOW }).at(-1)).toMatchObject({ accept: 1, reject: 1 });
    expect(verdictsPerDay(db, { datasetId: b, now: NOW }).at(-1)).toMatchObject({ accept: 0, reject: 0 });
    expect(after.at(-2)).toMatchObject({ skip: 0 }); // the undone skip
    expect(after.at(-6)!.reject).toBe(before.at(-6)!.reject + 1);
    // Rows are never deleted by Loupe; if they were, the counts would follow (an undo row first, then a verdict).
    sql('DELETE FROM verdicts WHERE id = (SELECT max(id) FROM verdicts WHERE undoes_verdict_id IS NOT NULL)');
    expectExact();
    sql(`DELETE FROM verdicts WHERE id = (SELECT max(id) FROM verdicts WHERE decision = 'reject' AND kind = 'review')`);
    expectExact();
    // A later "now" (the next day) shows today's counts as yesterday's.
    const today = verdictsPerDay(db, { now: NOW });
    const tomorrow = verdictsPerDay(db, { now: NOW + DAY });
    expect(tomorrow.at(-2)).toEqual({ ...today.at(-1), day: '2026-11-27' });
    expect(tomorrow.at(-1)).toMatchObject({ day: '2026-11-28', accept: 0, reject: 0, skip: 0 });
  });

  it("the migration's fill of the verdicts recorded before it gives the triggers' counts", async () => {
    await importSmall();
    const counted = kept();
    expect(counted.length).toBeGreaterThan(2);
    const migration = fs.readFileSync(path.join(process.cwd(), 'db/migrations/0017_dashboard_counts.sql'), 'utf8');
    const fill = migration
      .split('--> statement-breakpoint')
      .find((part) => part.includes('INSERT INTO `verdict_day_counts`') && part.includes('GROUP BY'))!;
    sql('DELETE FROM verdict_day_counts');
    db.$client.exec(fill);
    expect(kept()).toEqual(counted);
  });

  it('rejects a bad number of days', () => {
    expect(() => verdictsPerDay(db, { days: 0 })).toThrow(RangeError);
  });
});

describe('regenerationSummary', () => {
  async function addJobs() {
    const b = await importSmall();
    const inB = one<number>('SELECT min(id) FROM items WHERE dataset_id = ?', b);
    const job = (kind: string, status: string, cost: number, itemId = x[0]) =>
      Number(
        sql(
          // A succeeded job committed its actual cost; the others here sent nothing.
          `INSERT INTO jobs (kind, item_id, status, cost_usd, spent_usd, requested_by, finished_at) VALUES (?, ?, ?, ?, ?, 'lead', ?)`,
          kind,
          itemId,
          status,
          cost,
          status === 'succeeded' ? cost : 0,
          ['succeeded', 'failed', 'cancelled'].includes(status) ? NOW : null,
        ).lastInsertRowid,
      );
    const regenerated = (jobId: number, itemId: number, paddingOk: number | null) =>
      sql(
        `INSERT INTO candidates (item_id, origin, root_id, path, width, height, job_id, padding_ok)
         SELECT item_id, 'regenerated', root_id, path, width, height, ?, ? FROM candidates WHERE id = ?`,
        jobId,
        paddingOk,
        currentCandidate(itemId),
      );
    regenerated(job('regenerate', 'succeeded', 0.1), x[0], 1);
    regenerated(job('regenerate', 'succeeded', 0.3, x[1]), x[1], 0);
    job('regenerate', 'failed', 0.2);
    job('regenerate', 'cancelled', 0.2);
    job('regenerate', 'queued', 0.25);
    job('rewrite', 'succeeded', 0.002);
    job('rewrite', 'failed', 0.001);
    job('judge', 'running', 0.01);
    regenerated(job('regenerate', 'succeeded', 1, inB), inB, 1);
    return b;
  }

  it('counts jobs per kind and status, success among finished ones, actual spend, and padding failures', async () => {
    await addJobs();
    const summary = regenerationSummary(db, a);
    const regenerate = summary.kinds.find((k) => k.kind === 'regenerate')!;
    expect(regenerate.byStatus).toEqual({ queued: 1, running: 0, succeeded: 2, failed: 1, cancelled: 1 });
    expect(regenerate.total).toBe(5);
    expect(regenerate.successRate).toEqual(wilsonInterval(2, 3));
    expect(regenerate.spentUsd).toBeCloseTo(0.4, 12); // money committed: the failed and cancelled jobs sent nothing
    expect(regenerate.usdPerSuccess).toBeCloseTo(0.2, 12);
    expect(regenerate.pendingUsd).toBeCloseTo(0.25, 12);
    const rewrite = summary.kinds.find((k) => k.kind === 'rewrite')!;
    expect(rewrite.successRate!.estimate).toBe(0.5);
    expect(rewrite.spentUsd).toBeCloseTo(0.002, 12);
    const judge = summary.kinds.find((k) => k.kind === 'judge')!;
    expect(judge).toMatchObject({ total: 1, successRate: null, usdPerSuccess: null });
    expect(judge.pendingUsd).toBeCloseTo(0.01, 12);
    expect(summary.kinds.find((k) => k.kind === 'signals')).toMatchObject({ total: 0, spentUsd: 0 });
    expect(summary.totals.jobs).toBe(8);
    expect(summary.totals.spentUsd).toBeCloseTo(0.402, 12);
    expect(summary.padding).toMatchObject({ candidates: 2, checked: 2, failed: 1 });
    expect(summary.padding.failureShare).toEqual(wilsonInterval(1, 2));
  });

  it('sums every dataset without a filter', async () => {
    const b = await addJobs();
    const all = regenerationSummary(db);
    const regenerate = all.kinds.find((k) => k.kind === 'regenerate')!;
    expect(regenerate.byStatus.succeeded).toBe(3);
    expect(regenerate.spentUsd).toBeCloseTo(1.4, 12);
    expect(regenerate.usdPerSuccess).toBeCloseTo(1.4 / 3, 12);
    expect(all.padding).toMatchObject({ candidates: 3, checked: 3, failed: 1 });
    expect(regenerationSummary(db, b).kinds.find((k) => k.kind === 'regenerate')!.total).toBe(1);
  });
});

describe('auditSummary', () => {
  it('gives sampled and audited counts, the pass rate and the size-weighted pass rate per campaign', async () => {
    const b = await importSmall();
    const campaign = (datasetId: number, name: string) =>
      Number(
        sql(
          `INSERT INTO audit_campaigns (name, dataset_id, population, sampling, seed, population_size, sample_size, created_by)
           VALUES (?, ?, '{}', '{}', 1, 400, 6, 'lead')`,
          name,
          datasetId,
        ).lastInsertRowid,
      );
    const first = campaign(a, 'regenerated');
    const sample = (campaignId: number, itemId: number, stratum: string, size: number, position: number) =>
      sql(
        `INSERT INTO audit_samples (campaign_id, item_id, candidate_id, stratum, stratum_size, position) VALUES (?, ?, ?, ?, ?, ?)`,
        campaignId,
        itemId,
        currentCandidate(itemId),
        stratum,
        size,
        position,
      );
    const result = (campaignId: number, itemId: number, pass: boolean) =>
      sql(
        `INSERT INTO audit_results (campaign_id, item_id, auditor, instruction_following, identity_preservation, visual_quality, pass)
         VALUES (?, ?, 'auditor', 7, 7, 7, ?)`,
        campaignId,
        itemId,
        pass ? 1 : 0,
      );
    // hqedit/edit: 100 items in the population, 4 sampled, 3 audited (2 pass); ultraedit/add: 300, 2 sampled, both pass.
    x.slice(0, 4).forEach((id, i) => sample(first, id, 'hqedit/edit', 100, i));
    x.slice(4, 6).forEach((id, i) => sample(first, id, 'ultraedit/add', 300, 4 + i));
    result(first, x[0], true);
    result(first, x[1], true);
    result(first, x[2], false);
    result(first, x[4], true);
    result(first, x[5], true);
    const second = campaign(b, 'nothing audited yet');
    sample(second, one<number>('SELECT min(id) FROM items WHERE dataset_id = ?', b), 'hqedit/edit', 2, 0);

    const [summary] = auditSummary(db, a);
    expect(auditSummary(db, a)).toHaveLength(1);
    expect(summary).toMatchObject({ id: first, name: 'regenerated', sampled: 6, audited: 5, passed: 4, populationSize: 400 });
    expect(summary.passRate).toEqual(wilsonInterval(4, 5));
    // Weighted: 100/400 · 2/3 + 300/400 · 2/2 = 0.91666…
    expect(summary.weighted!.estimate).toBeCloseTo(0.25 * (2 / 3) + 0.75, 12);
    expect(summary.weighted).toEqual(
      stratifiedProportion([
        { size: 100, successes: 2, n: 3 },
        { size: 300, successes: 2, n: 2 },
      ]),
    );
    expect(summary.strata).toEqual([
      { stratum: 'hqedit/edit', size: 100, sampled: 4, audited: 3, passed: 2, passRate: wilsonInterval(2, 3) },
      { stratum: 'ultraedit/add', size: 300, sampled: 2, audited: 2, passed: 2, passRate: wilsonInterval(2, 2) },
    ]);

    const all = auditSummary(db);
    expect(all.map((c) => c.id)).toEqual([second, first]); // newest first
    expect(all[0]).toMatchObject({ sampled: 1, audited: 0, passed: 0, passRate: null, weighted: null });
  });
});

describe('signalVsHuman', () => {
  /**
   * Decided items of dataset "a": x1 and x2 accepted, x3 and x4 rejected. judge_overall on
   * their current candidates: x1 8 (its earlier candidate's 9 no longer counts), x2 6, x3 7,
   * x4 2; x5 (pending) 10 does not count. AUC: of the 4 accepted/rejected pairs, (8,7), (8,2)
   * and (6,2) rank the accepted item higher, (6,7) does not: 3/4.
   */
  function addSignals() {
    const signal = (itemId: number, name: string, value: number, candidateId = currentCandidate(itemId)) =>
      sql(
        `INSERT INTO signals (candidate_id, item_id, dataset_id, name, value) VALUES (?, ?, ?, ?, ?)`,
        candidateId,
        itemId,
        a,
        name,
        value,
      );
    signal(x[0], 'judge_overall', 9);
    const regenerated = Number(
      sql(
        `INSERT INTO candidates (item_id, origin, root_id, path, width, height)
         SELECT item_id, 'regenerated', root_id, path, width, height FROM candidates WHERE id = ?`,
        currentCandidate(x[0]),
      ).lastInsertRowid,
    );
    sql('UPDATE items SET current_candidate_id = ? WHERE id = ?', regenerated, x[0]);
    signal(x[0], 'judge_overall', 8);
    signal(x[1], 'judge_overall', 6);
    signal(x[2], 'judge_overall', 7);
    signal(x[3], 'judge_overall', 2);
    signal(x[4], 'judge_overall', 10);
    [0.2, 0.4, 0.6, 1.0].forEach((value, i) => signal(x[i], 'ssim', value));
  }

  it('measures a judge score against accept/reject decisions on current candidates', () => {
    addSignals();
    const result = signalVsHuman(db, { datasetId: a, signal: 'judge_overall' });
    expect(result).toMatchObject({ signalRows: 6, sampleFraction: 1, pairs: 4, n: 4, sampled: false, accepted: 2, rejected: 2 });
    expect(result.range).toEqual({ min: 2, max: 8 });
    expect(result.auc!.auc).toBe(0.75);
    expect(result.auc!.low).toBeLessThan(0.75);
    expect(result.auc!.high).toBeGreaterThan(0.75);
    expect(result.roc).toEqual([
      { fpr: 0, tpr: 0, threshold: null },
      { fpr: 0, tpr: 0.5, threshold: 8 },
      { fpr: 0.5, tpr: 0.5, threshold: 7 },
      { fpr: 0.5, tpr: 1, threshold: 6 },
      { fpr: 1, tpr: 1, threshold: 2 },
    ]);
    // Fixed 0-10 edges for the judge: 10 buckets of width 1.
    expect(result.buckets.map((b) => [b.from, b.to])).toEqual(Array.from({ length: 10 }, (_, i) => [i, i + 1]));
    const filled = result.buckets.filter((b) => b.n > 0).map((b) => [b.from, b.n, b.positives]);
    expect(filled).toEqual([
      [2, 1, 0],
      [6, 1, 1],
      [7, 1, 0],
      [8, 1, 1],
    ]);
    expect(result.buckets[8]).toMatchObject({ rate: 1, low: wilsonInterval(1, 1)!.low, high: 1 });
  });

  it('buckets other signals over their observed range and lists the signals present', () => {
    addSignals();
    const ssim = signalVsHuman(db, { datasetId: a, signal: 'ssim' });
    // x1 0.2 and x2 0.4 accepted, x3 0.6 and x4 1.0 rejected: lower SSIM goes with accept here.
    expect(ssim.auc!.auc).toBe(0);
    expect(ssim.buckets).toHaveLength(10);
    expect(ssim.buckets[0].from).toBeCloseTo(0.2, 12);
    expect(ssim.buckets[9].to).toBe(1);
    expect(ssim.buckets[9]).toMatchObject({ n: 1, positives: 0 }); // the maximum is in the last bucket
    expect(ssim.buckets.reduce((s, b) => s + b.n, 0)).toBe(4);
    expect(signalNames(db, a)).toEqual(['judge_overall', 'ssim']);
    expect(signalVsHuman(db, { datasetId: a, signal: 'judge_sc' })).toMatchObject({
      signalRows: 0,
      pairs: 0,
      n: 0,
      auc: null,
      roc: [],
      buckets: [],
    });
  });

  it('reads a sample of the rows when the signal has more rows than the cap', () => {
    addSignals();
    const capped = signalVsHuman(db, { datasetId: a, signal: 'judge_overall', maxPairs: 2 });
    expect(capped).toMatchObject({ signalRows: 6, sampleFraction: 2 / 6, sampled: true });
    expect(capped.n).toBeLessThanOrEqual(2);
    expect(capped.n).toBe(Math.min(capped.pairs, 2));
    expect(capped.accepted + capped.rejected).toBe(capped.n);
  });
});

describe('helpers', () => {
  it('makes bucket edges and downsamples curves keeping both ends', () => {
    expect(bucketEdges('judge_sc', 3, 4)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(bucketEdges('ssim', 0.5, 0.5)).toEqual([0.5, 1.5]);
    const edges = bucketEdges('ssim', 0, 1);
    expect(edges).toHaveLength(11);
    expect(edges[10]).toBe(1);
    const points = Array.from({ length: 1000 }, (_, i) => i);
    const kept = downsample(points, 100);
    expect(kept).toHaveLength(100);
    expect(kept[0]).toBe(0);
    expect(kept.at(-1)).toBe(999);
    expect(downsample([1, 2, 3])).toEqual([1, 2, 3]);
  });

  it('puts the whole dashboard together', () => {
    const summary = dashboardSummary(db, a, NOW);
    expect(summary.datasetId).toBe(a);
    expect(summary.progress.overall.total).toBe(12);
    expect(summary.verdictsPerDay).toHaveLength(30);
    expect(summary.regeneration.kinds).toHaveLength(5);
    expect(summary.audits).toEqual([]);
    expect(JSON.parse(JSON.stringify(summary))).toBeTruthy();
  });
});
