import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { getJob } from '@/lib/jobs/jobs';
import { JobWorker } from '@/lib/jobs/worker';
import { startLocalOpenAI, type LocalOpenAI } from '@/lib/openai-local/server';
import { recordVerdict } from '@/lib/review/verdicts';
import { cleanupTemp, copySamples, tempDb } from '@/lib/test/factories';
import { batchProgress, BUCKET_SQL, estimateBatch, startBatch } from './batch';
import { openaiConfig, type OpenAIConfig } from '../openai/config';
import { chooseBucket } from '../regenerate/recipe';
import { kindOf } from '../jobs/kinds';
import { requestJob } from '../jobs/request';
import { workerKinds } from '../jobs/worker-kinds';

/** Only these variables, not the test process's environment (NODE_ENV is typed as required). */
const env = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv;

let db: Db;
let datasetId: number;
let server: LocalOpenAI;
let config: OpenAIConfig;

beforeEach(async () => {
  ({ db } = tempDb());
  datasetId = (await importGptEdit(db, copySamples())).datasetId;
  server = await startLocalOpenAI();
  config = openaiConfig(env({ OPENAI_API_KEY: 'test', OPENAI_BASE_URL: server.url }));
});

afterEach(async () => {
  await server.close();
  cleanupTemp();
});

interface Row {
  id: number;
  family: string;
  width: number;
  height: number;
}
const items = (where = '1 = 1', ...params: unknown[]) =>
  db.$client
    .prepare(`SELECT id, family, source_width AS width, source_height AS height FROM items WHERE ${where} ORDER BY id`)
    .all(...params) as Row[];
const sumEstimates = (rows: Row[], kind: 'regenerate' | 'rewrite') =>
  rows.reduce((sum, row) => sum + kindOf(kind)!.estimate(config, row, {}), 0);
const batchJobs = (batchId: number) =>
  db.$client.prepare('SELECT item_id AS itemId, status, error FROM jobs WHERE batch_id = ? ORDER BY item_id').all(batchId) as {
    itemId: number;
    status: string;
    error: string | null;
  }[];

/** Runs a worker until the batch has nothing queued or running. */
async function runBatch(batchId: number) {
  const worker = new JobWorker(db, {
    concurrency: 2,
    maxAttempts: 3,
    runners: workerKinds(db, config).runners,
    pollMs: 20,
    backoffBaseMs: 50,
  }).start();
  try {
    for (;;) {
      const { counts } = batchProgress(db, batchId);
      if (counts.queued + counts.running === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await worker.stop();
  }
}

describe('estimateBatch', () => {
  it('counts and prices the matching items per filter', () => {
    const all = items();
    expect(all).toHaveLength(12);
    const wholeUsd = sumEstimates(all, 'regenerate');
    expect(estimateBatch(db, config, { kind: 'regenerate', filter: { datasetId } })).toEqual({
      items: 12,
      estimatedUsd: expect.closeTo(wholeUsd, 9),
      // Both paths, and (a whole-dataset filter) the same per-item cost at the release's 1.5M items.
      syncUsd: expect.closeTo(wholeUsd, 9),
      batchUsd: expect.closeTo(wholeUsd / 2, 9),
      path: 'sync',
      minBatchItems: 1000,
      fullRelease: {
        items: 1_500_000,
        syncUsd: expect.closeTo((wholeUsd / 12) * 1_500_000, 6),
        batchUsd: expect.closeTo((wholeUsd / 24) * 1_500_000, 6),
      },
      skippedActive: 0,
    });
    const omniedit = items('family = ?', 'omniedit');
    expect(estimateBatch(db, config, { kind: 'rewrite', filter: { datasetId, family: 'omniedit' } })).toMatchObject({
      items: omniedit.length,
      estimatedUsd: expect.closeTo(sumEstimates(omniedit, 'rewrite'), 9),
      skippedActive: 0,
    });
    // A filter narrower than the dataset says nothing about the full release.
    expect(estimateBatch(db, config, { kind: 'rewrite', filter: { datasetId, family: 'omniedit' } })).not.toHaveProperty('fullRelease');

    const who = { holder: 'holder-123456', reviewer: 'tester' };
    for (const row of all.slice(0, 2)) recordVerdict(db, who, { itemId: row.id, decision: 'reject', reasons: ['artifacts'] });
    expect(estimateBatch(db, config, { kind: 'regenerate', filter: { datasetId, status: 'rejected' } })).toMatchObject({
      items: 2,
      estimatedUsd: expect.closeTo(sumEstimates(all.slice(0, 2), 'regenerate'), 9),
      skippedActive: 0,
    });
    expect(estimateBatch(db, config, { kind: 'regenerate', filter: { datasetId, status: 'pending' } }).items).toBe(10);
  });

  it('counts the items whose instructions hold a text (a substring) or a search (words)', () => {
    const holding = (pattern: string) => items(`id IN (SELECT item_id FROM instruction_versions WHERE text LIKE ?)`, pattern);
    for (const text of ['the', 'e', 'no such words here']) {
      const matching = holding(`%${text}%`);
      expect(estimateBatch(db, config, { kind: 'regenerate', filter: { datasetId, text } }), text).toMatchObject({
        items: matching.length,
        estimatedUsd: expect.closeTo(sumEstimates(matching, 'regenerate'), 9),
      });
    }
    const withFamily = holding('%the%').filter((row) => row.family === 'omniedit');
    expect(estimateBatch(db, config, { kind: 'rewrite', filter: { datasetId, family: 'omniedit', text: 'the' } }).items).toBe(
      withFamily.length,
    );
    expect(estimateBatch(db, config, { kind: 'rewrite', filter: { datasetId, search: 'no such words here' } }).items).toBe(0);
  });

  it('leaves out items with an active job of the same kind only', () => {
    const [first] = items();
    requestJob(db, config, { kind: 'regenerate', itemId: first.id, requestedBy: 'tester' });
    const regenerate = estimateBatch(db, config, { kind: 'regenerate', filter: { datasetId } });
    expect(regenerate).toMatchObject({ items: 11, skippedActive: 1 });
    expect(regenerate.estimatedUsd).toBeCloseTo(sumEstimates(items('id != ?', first.id), 'regenerate'), 9);
    expect(estimateBatch(db, config, { kind: 'rewrite', filter: { datasetId } })).toMatchObject({ items: 12, skippedActive: 0 });
  });

  it('buckets sizes in SQL exactly as chooseBucket does', () => {
    const bucketOf = db.$client.prepare(`SELECT ${BUCKET_SQL} FROM (SELECT ? AS source_width, ? AS source_height)`).pluck();
    const name = (w: number, h: number) =>
      ({ 1: 'square', 1.5: 'landscape' })[chooseBucket(w, h).width / chooseBucket(w, h).height] ?? 'portrait';
    for (let w = 1; w <= 400; w += 3) {
      for (let h = 1; h <= 400; h += 7) expect(bucketOf.get(w, h), `${w}x${h}`).toBe(name(w, h));
    }
    for (const [w, h] of [
      [4000, 300],
      [1225, 1000],
      [1224, 1000],
      [1000, 1225],
      [1000, 1224],
      [8192, 6689],
      [6689, 8192],
    ]) {
      expect(bucketOf.get(w, h), `${w}x${h}`).toBe(name(w, h));
    }
  });
});

describe('startBatch', () => {
  it('queues one job per matching item, in keyset pages, skipping items with an active job', async () => {
    const omniedit = items('family = ?', 'omniedit');
    const busy = omniedit[1];
    requestJob(db, config, { kind: 'rewrite', itemId: busy.id, requestedBy: 'tester' });

    const started = await startBatch(
      db,
      config,
      { kind: 'rewrite', filter: { datasetId, family: 'omniedit' }, budgetUsd: 5, requestedBy: 'lead' },
      { pageSize: 2 },
    );
    expect(started.queued).toBe(omniedit.length - 1);
    expect(started.estimatedUsd).toBeCloseTo(sumEstimates(omniedit.slice(1), 'rewrite'), 9);
    const jobs = batchJobs(started.batchId);
    expect(jobs.map((j) => j.itemId)).toEqual(omniedit.filter((row) => row !== busy).map((row) => row.id));
    expect(jobs.every((j) => j.status === 'queued')).toBe(true);

    const progress = batchProgress(db, started.batchId);
    expect(progress).toMatchObject({
      kind: 'rewrite',
      status: 'running',
      total: omniedit.length - 1,
      budgetUsd: 5,
      spentUsd: 0,
      createdBy: 'lead',
      filter: { datasetId, family: 'omniedit' },
      counts: { queued: omniedit.length - 1, running: 0, succeeded: 0, failed: 0, cancelled: 0 },
    });
  });

  it('refuses without an API key, a positive budget or any item to queue', async () => {
    const request = { kind: 'regenerate' as const, filter: { datasetId }, budgetUsd: 1, requestedBy: 'lead' };
    await expect(startBatch(db, openaiConfig(env({})), request)).rejects.toThrow(/^Regeneration is not configured.*OPENAI_API_KEY/);
    // Named by the kind asked for (it used to say Regeneration for any kind).
    await expect(startBatch(db, openaiConfig(env({})), { ...request, kind: 'rewrite' })).rejects.toThrow(
      /^Instruction rewrite is not configured/,
    );
    await expect(startBatch(db, config, { ...request, budgetUsd: 0 })).rejects.toThrow(/positive/);
    await expect(startBatch(db, config, { ...request, filter: { datasetId, status: 'accepted' } })).rejects.toThrow(/no items match/);
    expect(db.$client.prepare('SELECT count(*) FROM batches').pluck().get()).toBe(0);
  });
});

describe('running a batch', () => {
  it('runs every job and becomes done', async () => {
    const { batchId, queued } = await startBatch(db, config, {
      kind: 'regenerate',
      filter: { datasetId, family: 'ultraedit' },
      budgetUsd: 100,
      requestedBy: 'lead',
    });
    await runBatch(batchId);
    const progress = batchProgress(db, batchId);
    expect(progress).toMatchObject({ status: 'done', counts: { succeeded: queued, queued: 0, running: 0, failed: 0, cancelled: 0 } });
    const actual = db.$client.prepare('SELECT sum(cost_usd) FROM jobs WHERE batch_id = ?').pluck().get(batchId) as number;
    expect(progress.spentUsd).toBeCloseTo(actual, 12);
    expect(progress.spentUsd).toBeGreaterThan(0);
  });

  it('stops when the budget is spent: the rest is cancelled and spending stays within the budget', async () => {
    const estimate = estimateBatch(db, config, { kind: 'regenerate', filter: { datasetId } });
    const budgetUsd = (estimate.estimatedUsd * 4) / estimate.items; // about four jobs' worth
    const { batchId, queued } = await startBatch(db, config, { kind: 'regenerate', filter: { datasetId }, budgetUsd, requestedBy: 'lead' });
    expect(queued).toBe(12);
    await runBatch(batchId);

    const progress = batchProgress(db, batchId);
    expect(progress.status).toBe('stopped');
    expect(progress.counts.succeeded).toBeGreaterThanOrEqual(2);
    expect(progress.counts.cancelled).toBeGreaterThanOrEqual(6);
    expect(progress.counts.succeeded + progress.counts.cancelled).toBe(12);
    expect(progress.spentUsd).toBeLessThanOrEqual(budgetUsd);
    const cancelled = batchJobs(batchId).filter((job) => job.status === 'cancelled');
    expect(cancelled.every((job) => job.error === 'batch budget spent')).toBe(true);
  });

  it('says which batch is unknown', () => {
    expect(() => batchProgress(db, 99)).toThrow('batch 99 not found');
    expect(getJob(db, 1)).toBeUndefined();
  });
});
