import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { JobWorker } from '@/lib/jobs/worker';
import { startLocalOpenAI, type LocalOpenAI } from '@/lib/openai-local/server';
import { batchProgress, estimateBatch, startBatch } from '@/lib/batches/batch';
import { openaiConfig, type OpenAIConfig } from '@/lib/openai/config';
import { BATCH_KINDS } from '@/lib/jobs/kinds';
import { requestJob } from '@/lib/jobs/request';
import { workerKinds } from '@/lib/jobs/worker-kinds';
import { cleanupTemp, copySamples, tempDb } from '@/lib/test/factories';
import { estimateJudge } from '../signals/judge';

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
  width: number;
  height: number;
}
const items = (where = '1 = 1', ...params: unknown[]) =>
  db.$client
    .prepare(`SELECT id, source_width AS width, source_height AS height FROM items WHERE ${where} ORDER BY id`)
    .all(...params) as Row[];
const sumJudge = (rows: Row[], c = config) => rows.reduce((sum, row) => sum + estimateJudge(c, row), 0);

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

describe('judge batches', () => {
  it('is a batch kind, estimated per item from its size, the model and the detail', () => {
    expect(BATCH_KINDS).toContain('judge');
    const all = items();
    expect(new Set(all.map((row) => `${row.width}x${row.height}`)).size).toBeGreaterThan(3);
    expect(estimateBatch(db, config, { kind: 'judge', filter: { datasetId } })).toMatchObject({
      items: 12,
      estimatedUsd: expect.closeTo(sumJudge(all), 12),
      skippedActive: 0,
    });
    const low = { ...config, LOUPE_JUDGE_DETAIL: 'low' as const, LOUPE_JUDGE_MODEL: 'gpt-4o-mini' };
    expect(estimateBatch(db, low, { kind: 'judge', filter: { datasetId } }).estimatedUsd).toBeCloseTo(sumJudge(all, low), 12);
    // About a cent an item with gpt-4o at high detail: far below an image regeneration.
    const perItem = sumJudge(all) / all.length;
    expect(perItem).toBeGreaterThan(0.001);
    expect(perItem).toBeLessThan(0.01);

    const ultraedit = items('family = ?', 'ultraedit');
    requestJob(db, config, { kind: 'judge', itemId: ultraedit[0].id, requestedBy: 'tester' });
    expect(estimateBatch(db, config, { kind: 'judge', filter: { datasetId, family: 'ultraedit' } })).toMatchObject({
      items: ultraedit.length - 1,
      estimatedUsd: expect.closeTo(sumJudge(ultraedit.slice(1)), 12),
      skippedActive: 1,
    });
    // Other kinds' active jobs do not count.
    expect(estimateBatch(db, config, { kind: 'rewrite', filter: { datasetId, family: 'ultraedit' } }).skippedActive).toBe(0);
  });

  it('queues judge jobs with their own estimates, runs them, and stores three signals per item', async () => {
    const omniedit = items('family = ?', 'omniedit');
    const { batchId, queued, estimatedUsd } = await startBatch(
      db,
      config,
      { kind: 'judge', filter: { datasetId, family: 'omniedit' }, budgetUsd: 1, requestedBy: 'lead' },
      { pageSize: 2 },
    );
    expect(queued).toBe(omniedit.length);
    expect(estimatedUsd).toBeCloseTo(sumJudge(omniedit), 12);
    const jobs = db.$client
      .prepare('SELECT item_id AS itemId, kind, cost_usd AS costUsd, params FROM jobs WHERE batch_id = ? ORDER BY item_id')
      .all(batchId) as {
      itemId: number;
      kind: string;
      costUsd: number;
      params: string;
    }[];
    expect(jobs).toEqual(
      omniedit.map((row) => ({ itemId: row.id, kind: 'judge', costUsd: expect.closeTo(estimateJudge(config, row), 15), params: '{}' })),
    );

    await runBatch(batchId);
    const progress = batchProgress(db, batchId);
    expect(progress).toMatchObject({ kind: 'judge', status: 'done', counts: { succeeded: omniedit.length, failed: 0, cancelled: 0 } });
    expect(progress.spentUsd).toBeGreaterThan(0);
    expect(progress.spentUsd).toBeLessThan(1);
    const perItem = db.$client
      .prepare(`SELECT item_id, count(*) AS n FROM signals WHERE name IN ('judge_sc', 'judge_pq', 'judge_overall') GROUP BY item_id`)
      .all() as { n: number }[];
    expect(perItem).toHaveLength(omniedit.length);
    expect(perItem.every((row) => row.n === 3)).toBe(true);
  });

  it('stops when the budget is spent', async () => {
    const estimate = estimateBatch(db, config, { kind: 'judge', filter: { datasetId } });
    const budgetUsd = (estimate.estimatedUsd * 3) / estimate.items; // about three jobs' worth
    const { batchId } = await startBatch(db, config, { kind: 'judge', filter: { datasetId }, budgetUsd, requestedBy: 'lead' });
    await runBatch(batchId);
    const progress = batchProgress(db, batchId);
    expect(progress.status).toBe('stopped');
    expect(progress.counts.succeeded).toBeGreaterThanOrEqual(1);
    expect(progress.counts.cancelled).toBeGreaterThanOrEqual(6);
    expect(progress.counts.succeeded + progress.counts.cancelled).toBe(12);
    expect(progress.spentUsd).toBeLessThanOrEqual(budgetUsd);
  });
});
