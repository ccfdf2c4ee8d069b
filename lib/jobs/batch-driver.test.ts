import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { batchProgress, estimateBatch, startBatch } from '@/lib/batches/batch';
import type { BatchVia } from '@/lib/batches/via';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { startLocalOpenAI, type LocalOpenAI } from '@/lib/openai-local/server';
import { openaiClient } from '@/lib/openai/client';
import { openaiConfig, type OpenAIConfig } from '@/lib/openai/config';
import { cleanupTemp, copySamples, tempDb } from '@/lib/test/factories';
import { INPUT_LIMITS, type InputLimits } from '@/lib/openai-batch/input';
import { BatchDriver, PENDING_HOLDER, type DriverEvent } from './batch-driver';
import { claimJob, requeueOrphans } from './jobs';
import type { BatchKind } from './kinds';
import { JobWorker } from './worker';
import { workerKinds } from './worker-kinds';

/** Only these variables, not the test process's environment (NODE_ENV is typed as required). */
const env = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv;

let db: Db;
let dir: string;
let datasetId: number;
let server: LocalOpenAI;
let config: OpenAIConfig;
let events: DriverEvent[];

beforeEach(async () => {
  ({ db, dir } = tempDb());
  datasetId = (await importGptEdit(db, copySamples())).datasetId;
  server = await startLocalOpenAI({ batchDelayMs: 30 });
  // The 12 sample items are a "large" batch here.
  config = openaiConfig(
    env({ OPENAI_API_KEY: 'test', OPENAI_BASE_URL: server.url, LOUPE_BATCH_MIN_ITEMS: '5', LOUPE_BATCH_POLL_MS: '20' }),
  );
  events = [];
});

afterEach(async () => {
  await server.close();
  cleanupTemp();
});

const driver = (options: { limits?: InputLimits; leaseMs?: number; stallMs?: number } = {}) => {
  const client = openaiClient(config);
  return new BatchDriver(db, config, () => client, { dir, onEvent: (event) => events.push(event), ...options });
};
const start = (kind: BatchKind, budgetUsd = 100, via: BatchVia = 'auto') =>
  startBatch(db, config, { kind, filter: { datasetId }, budgetUsd, requestedBy: 'cli:test', via });
const count = (method: string, path: string) => server.requests.filter((r) => r.method === method && r.path === path).length;
const jobs = (batchId: number) =>
  db.$client
    .prepare(
      `SELECT id, status, error, cost_usd AS costUsd, spent_usd AS spentUsd, openai_batch_id AS openaiBatchId, locked_by AS lockedBy
       FROM jobs WHERE batch_id = ? ORDER BY id`,
    )
    .all(batchId) as {
    id: number;
    status: string;
    error: string | null;
    costUsd: number;
    spentUsd: number;
    openaiBatchId: number | null;
    lockedBy: string | null;
  }[];
const rows = () =>
  db.$client
    .prepare('SELECT id, state, remote_status AS remoteStatus, remote_id AS remoteId, jobs FROM openai_batches ORDER BY id')
    .all() as {
    id: number;
    state: string;
    remoteStatus: string | null;
    remoteId: string | null;
    jobs: number;
  }[];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the local server has ended remote batch `remoteId` (without the driver polling it). */
async function remoteEnded(remoteId: string) {
  const client = openaiClient(config);
  const deadline = Date.now() + 50_000;
  while (!['completed', 'failed', 'expired', 'cancelled'].includes((await client.batches.retrieve(remoteId)).status)) {
    if (Date.now() > deadline) throw new Error(`remote batch ${remoteId} did not end`);
    await sleep(20);
  }
}

/** Ticks the driver until the batch has no job left held or queued (or the time is up). */
async function drive(d: BatchDriver, batchId: number, until = () => batchProgress(db, batchId).counts.running === 0) {
  const deadline = Date.now() + 50_000; // a loaded machine runs the local server's image edits slowly
  while (!until()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify({ rows: rows(), jobs: jobs(batchId) })}`);
    await d.tick();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the OpenAI Batch API path', () => {
  it('runs a rewrite batch through files and batches at half the synchronous price', async () => {
    expect(estimateBatch(db, config, { kind: 'rewrite', filter: { datasetId } })).toMatchObject({ items: 12, path: 'batch' });
    const rewritesBefore = (
      db.$client.prepare(`SELECT count(*) AS n FROM instruction_versions WHERE kind = 'rewrite'`).get() as { n: number }
    ).n;
    const batch = await start('rewrite');
    expect(batch.path).toBe('batch');
    // Held for the driver: no job worker takes them, no orphan sweep requeues them.
    expect(claimJob(db, 'someone', 30_000)).toBeUndefined();
    expect(requeueOrphans(db, Date.now() + 3_600_000)).toBe(0);

    await drive(driver(), batch.batchId);
    const done = jobs(batch.batchId);
    expect(done.map((job) => job.status)).toEqual(Array(12).fill('succeeded'));
    expect(count('POST', '/v1/files')).toBe(1);
    expect(count('POST', '/v1/batches')).toBe(1);
    expect(count('POST', '/v1/chat/completions')).toBe(0);
    expect(rows()).toEqual([expect.objectContaining({ state: 'ended', remoteStatus: 'completed', jobs: 12 })]);
    const rewrites = db.$client.prepare(`SELECT count(*) AS n FROM instruction_versions WHERE kind = 'rewrite'`).get() as { n: number };
    expect(rewrites.n - rewritesBefore).toBe(12);
    // Every job's money is its cost, nothing left reserved.
    for (const job of done) expect(job.spentUsd).toBeCloseTo(job.costUsd, 12);

    // The same items on the synchronous path: each batch cost is half of it.
    const sync = await startBatch(db, config, {
      kind: 'rewrite',
      filter: { datasetId },
      budgetUsd: 100,
      requestedBy: 'cli:test',
      via: 'sync',
    });
    expect(sync.path).toBe('sync');
    const worker = new JobWorker(db, { concurrency: 4, maxAttempts: 2, runners: workerKinds(db, config).runners, pollMs: 10 }).start();
    while (batchProgress(db, sync.batchId).counts.queued + batchProgress(db, sync.batchId).counts.running)
      await new Promise((r) => setTimeout(r, 10));
    await worker.stop();
    const syncCosts = jobs(sync.batchId).map((job) => job.costUsd);
    expect(done.map((job) => job.costUsd / syncCosts[done.indexOf(job)])).toEqual(Array(12).fill(expect.closeTo(0.5, 9)));
  });

  it('runs a judge batch and writes the judge signals', async () => {
    const batch = await start('judge');
    await drive(driver(), batch.batchId);
    expect(jobs(batch.batchId).every((job) => job.status === 'succeeded')).toBe(true);
    const signals = db.$client.prepare(`SELECT count(*) AS n FROM signals WHERE name = 'judge_overall'`).get() as { n: number };
    expect(signals.n).toBe(12);
    const detail = JSON.parse(
      (db.$client.prepare(`SELECT detail FROM signals WHERE name = 'judge_overall' LIMIT 1`).get() as { detail: string }).detail,
    );
    expect(detail).toMatchObject({ via: 'batch', simulated: true });
  });

  it('resumes polling after a restart without creating the batch again', async () => {
    server.setBatchDelay(400);
    const batch = await start('rewrite');
    const first = driver();
    await first.tick();
    expect(rows()).toEqual([expect.objectContaining({ state: 'submitted' })]);
    await first.stop();
    // Died between creating the remote batch and recording it: the row still says `creating`.
    const remoteId = rows()[0].remoteId;
    db.$client.prepare(`UPDATE openai_batches SET state = 'creating', remote_id = NULL`).run();

    await drive(driver(), batch.batchId);
    expect(count('POST', '/v1/batches')).toBe(1);
    expect(count('POST', '/v1/files')).toBe(1);
    expect(rows()[0]).toMatchObject({ remoteId, state: 'ended' });
    expect(jobs(batch.batchId).every((job) => job.status === 'succeeded')).toBe(true);
  });

  it('resumes polling after its process dies (no stop, the lease lapses) without creating the batch again', async () => {
    server.setBatchDelay(400);
    const batch = await start('judge');
    // Submits, then is never heard from again: its lease (100 ms here) is not given back.
    const dead = driver({ leaseMs: 100 });
    await dead.tick();
    expect(rows()).toEqual([expect.objectContaining({ state: 'submitted', remoteStatus: 'validating' })]);
    const next = driver();
    await next.tick();
    expect(rows()[0].remoteStatus).toBe('validating'); // still the dead driver's lease: nothing polled
    await drive(next, batch.batchId);
    expect(count('POST', '/v1/batches')).toBe(1);
    expect(count('POST', '/v1/files')).toBe(1);
    expect(rows()).toEqual([expect.objectContaining({ state: 'ended', remoteStatus: 'completed', jobs: 12 })]);
    expect(jobs(batch.batchId).every((job) => job.status === 'succeeded')).toBe(true);
  });

  it('runs a regeneration batch as JSON image edits and stores the new candidates', async () => {
    const candidates = () => db.$client.prepare('SELECT count(*) FROM candidates').pluck().get() as number;
    const before = candidates();
    const batch = await start('regenerate');
    expect(batch.path).toBe('batch');
    await drive(driver(), batch.batchId);
    expect(jobs(batch.batchId).map((job) => job.status)).toEqual(Array(12).fill('succeeded'));
    expect(count('POST', '/v1/images/edits')).toBe(0);
    expect(candidates() - before).toBe(12);
    const endpoints = db.$client.prepare('SELECT DISTINCT endpoint FROM openai_batches').pluck().all();
    expect(endpoints).toEqual(['/v1/images/edits']);
  }, 180_000);

  it('splits the input at the request and byte limits (the real ones are the API’s)', async () => {
    expect(INPUT_LIMITS).toEqual({ requests: 50_000, bytes: 200 * 1024 * 1024 });
    // At most 5 requests a file: 12 jobs take three files.
    const batch = await start('rewrite');
    const first = driver({ limits: { requests: 5, bytes: INPUT_LIMITS.bytes } });
    await drive(first, batch.batchId);
    await first.stop(); // gives the lease back for the next driver
    expect(rows().map((row) => row.jobs)).toEqual([5, 5, 2]);
    expect(count('POST', '/v1/files')).toBe(3);
    expect(jobs(batch.batchId).every((job) => job.status === 'succeeded')).toBe(true);

    // A third of those bytes a file, on a server that refuses any larger file: the same jobs again take more files.
    const total = db.$client.prepare('SELECT sum(input_bytes) FROM openai_batches').pluck().get() as number;
    const bytes = Math.ceil(total / 3);
    await server.close();
    server = await startLocalOpenAI({ batchDelayMs: 30, maxFileBytes: bytes });
    config = { ...config, OPENAI_BASE_URL: server.url };
    const again = await start('rewrite');
    await drive(driver({ limits: { requests: 50_000, bytes } }), again.batchId);
    const sizes = db.$client.prepare(`SELECT jobs, input_bytes AS bytes FROM openai_batches WHERE id > 3`).all() as {
      jobs: number;
      bytes: number;
    }[];
    expect(sizes.length).toBeGreaterThanOrEqual(4);
    expect(sizes.reduce((sum, row) => sum + row.jobs, 0)).toBe(12);
    for (const row of sizes) expect(row.bytes).toBeLessThanOrEqual(bytes);
    expect(jobs(again.batchId).every((job) => job.status === 'succeeded')).toBe(true);
  });

  it('fails a job whose request alone is over the byte limit, and sends nothing for it', async () => {
    const batch = await start('rewrite');
    await drive(driver({ limits: { requests: 50_000, bytes: 1000 } }), batch.batchId);
    const done = jobs(batch.batchId);
    expect(done.map((job) => job.status)).toEqual(Array(12).fill('failed'));
    expect(done[0].error).toMatch(/its Batch API request is [\d.]+ MiB, over the 0\.00 MiB an input file may hold/);
    expect(done.every((job) => job.spentUsd === 0)).toBe(true);
    expect(count('POST', '/v1/files')).toBe(0);
  });

  it('fails the job of a failed line with the API message; the others succeed', async () => {
    const batch = await start('rewrite');
    const [victim] = jobs(batch.batchId);
    server.failBatchLines([`job-${victim.id}`], { status: 400, message: 'Invalid image: the file is corrupt' });
    await drive(driver(), batch.batchId);
    const done = jobs(batch.batchId);
    expect(done[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('Invalid image: the file is corrupt'), spentUsd: 0 });
    expect(done.slice(1).every((job) => job.status === 'succeeded')).toBe(true);
  });

  it('requeues what an expired batch did not run, through the Batch API again while they are many', async () => {
    server.planBatches({ expireAfter: 4 });
    const batch = await start('rewrite');
    await drive(driver(), batch.batchId);
    expect(rows().map((row) => row.remoteStatus)).toEqual(['expired', 'completed']);
    expect(rows().map((row) => row.jobs)).toEqual([12, 8]);
    expect(jobs(batch.batchId).every((job) => job.status === 'succeeded')).toBe(true);
    expect(count('POST', '/v1/batches')).toBe(2);
  });

  it('requeues for the job worker when fewer than the threshold did not run', async () => {
    server.planBatches({ expireAfter: 10 });
    const batch = await start('rewrite');
    await drive(driver(), batch.batchId);
    const left = jobs(batch.batchId).filter((job) => job.status === 'queued');
    expect(left).toHaveLength(2);
    expect(left.every((job) => job.spentUsd === 0 && job.lockedBy === null)).toBe(true);
    expect(db.$client.prepare('SELECT path FROM batches WHERE id = ?').pluck().get(batch.batchId)).toBe('sync');
    expect(claimJob(db, 'w', 30_000)?.id).toBe(left[0].id);
  });

  it('retries a poll answered 500', async () => {
    server.failBatchPolls(2);
    const batch = await start('judge');
    await drive(driver(), batch.batchId);
    expect(jobs(batch.batchId).every((job) => job.status === 'succeeded')).toBe(true);
    expect(count('GET', `/v1/batches/${rows()[0].remoteId}`)).toBeGreaterThanOrEqual(3);
  });

  it('holds the budget: what the worst cases do not fit waits for the spend of what runs, then is cancelled and the batch stopped', async () => {
    const full = estimateBatch(db, config, { kind: 'rewrite', filter: { datasetId } });
    // Room for a few worst cases at the Batch price (worst case is several times the estimate), and for a third of the cost.
    const budget = full.batchUsd! / 3;
    const batch = await start('rewrite', budget);
    await drive(driver(), batch.batchId);
    const done = jobs(batch.batchId);
    const succeeded = done.filter((job) => job.status === 'succeeded').length;
    expect(succeeded).toBeGreaterThan(0);
    // What the first file's worst cases did not cover went in later files once its spend was known.
    expect(rows().filter((row) => row.jobs > 0).length).toBeGreaterThan(1);
    expect(done.filter((job) => job.status === 'cancelled').length).toBe(12 - succeeded);
    expect(batchProgress(db, batch.batchId)).toMatchObject({ status: 'stopped' });
    expect(done.reduce((sum, job) => sum + job.spentUsd, 0)).toBeLessThanOrEqual(budget + 1e-9);
  });

  it('runs the whole batch a budget covers though its worst cases do not fit at once', async () => {
    const { estimatedUsd } = estimateBatch(db, config, { kind: 'judge', filter: { datasetId } });
    const budget = 1.2 * estimatedUsd;
    const batch = await start('judge', budget);
    expect(batch.path).toBe('batch');
    await drive(driver(), batch.batchId);
    const done = jobs(batch.batchId);
    expect(done.map((job) => job.status)).toEqual(Array(12).fill('succeeded'));
    expect(rows().filter((row) => row.jobs > 0).length).toBeGreaterThan(1);
    expect(batchProgress(db, batch.batchId)).toMatchObject({ status: expect.not.stringMatching(/stopped/) });
    expect(done.reduce((sum, job) => sum + job.spentUsd, 0)).toBeLessThanOrEqual(budget + 1e-9);
    // Waiting for the spend of a submission in flight sends no empty submission meanwhile.
    expect(rows().length).toBeLessThanOrEqual(12);
  });
});

describe('two drivers on one database', () => {
  it('keeps one driver while a remote step outlasts the lease: the batch is created and billed once', async () => {
    server.setBatchDelay(300);
    const batch = await start('judge');
    const a = driver({ leaseMs: 100 });
    const b = driver({ leaseMs: 100 });
    // The upload is answered at once, the batch creation 800 ms later: far past A's 100 ms lease.
    server.queueFaults({ slowMs: 0 }, { slowMs: 800 });
    const first = a.tick();
    while (count('POST', '/v1/batches') === 0) await sleep(5);
    await sleep(300);
    await b.tick(); // A is still creating the batch: B must not act on its rows
    await first;
    expect(count('POST', '/v1/batches')).toBe(1);
    expect(rows()).toEqual([expect.objectContaining({ state: 'submitted', jobs: 12 })]);

    await drive(a, batch.batchId);
    expect(count('POST', '/v1/batches')).toBe(1);
    expect(count('POST', '/v1/files')).toBe(1);
    const done = jobs(batch.batchId);
    expect(done.every((job) => job.status === 'succeeded')).toBe(true);
    // Each job's money is its one line's cost: no second reservation left behind.
    for (const job of done) expect(job.spentUsd).toBeCloseTo(job.costUsd, 12);
  });
});

describe('a remote step that hangs', () => {
  it('is aborted after the stall limit instead of holding the driver and its lease; the next tick goes on', async () => {
    const batch = await start('judge');
    // 2 s: a loaded machine's upload of the file must not pass for a stall.
    const d = driver({ stallMs: 2_000 });
    // The upload is answered at once; the batch creation hangs far past the stall limit.
    server.queueFaults({ slowMs: 0 }, { slowMs: 40_000 });
    const began = Date.now();
    await expect(d.tick()).rejects.toThrow(/creating the remote batch: no progress for 2000 ms/);
    expect(Date.now() - began).toBeLessThan(20_000);
    // The submission is where the rows say (creating): the next tick looks for it remotely, then creates it once.
    expect(rows()).toEqual([expect.objectContaining({ state: 'creating' })]);
    await drive(d, batch.batchId);
    expect(jobs(batch.batchId).every((job) => job.status === 'succeeded')).toBe(true);
    expect(rows()).toEqual([expect.objectContaining({ state: 'ended' })]);
  });
});

describe('requeues across the submissions of one batch', () => {
  it('counts every unrun job of the batch, and moves the waiting ones to the job worker too when it switches to sync', async () => {
    config = { ...config, LOUPE_BATCH_MIN_ITEMS: 10 };
    // Two submissions of 5 (the limit here) both expire after 2 of their requests ran.
    server.planBatches({ expireAfter: 2 }, { expireAfter: 2 });
    const batch = await start('rewrite');
    expect(batch.path).toBe('batch');
    const d = driver({ limits: { requests: 5, bytes: INPUT_LIMITS.bytes } });
    const pending = () => jobs(batch.batchId).filter((job) => job.lockedBy === PENDING_HOLDER).length;

    await d.tick();
    expect(rows()).toEqual([expect.objectContaining({ state: 'submitted', jobs: 5 })]);
    expect(pending()).toBe(7);
    await remoteEnded(rows()[0].remoteId!);
    // Row 1 expired: its 3 unrun jobs and the 7 waiting are 10, still the Batch API's; a second file takes 5.
    await d.tick();
    expect(rows()).toEqual([
      expect.objectContaining({ state: 'ended', remoteStatus: 'expired', jobs: 5 }),
      expect.objectContaining({ state: 'submitted', jobs: 5 }),
    ]);
    expect(db.$client.prepare('SELECT path FROM batches WHERE id = ?').pluck().get(batch.batchId)).toBe('batch');
    expect(pending()).toBe(5);
    await remoteEnded(rows()[1].remoteId!);
    // Row 2 expired too: 3 + 5 waiting are under 10, so all 8 go to the job worker, none left held.
    await d.tick();
    expect(rows()[1]).toMatchObject({ state: 'ended', remoteStatus: 'expired' });
    expect(db.$client.prepare('SELECT path FROM batches WHERE id = ?').pluck().get(batch.batchId)).toBe('sync');
    const after = jobs(batch.batchId);
    expect(after.filter((job) => job.status === 'succeeded')).toHaveLength(4);
    const queued = after.filter((job) => job.status === 'queued');
    expect(queued).toHaveLength(8);
    expect(queued.every((job) => job.lockedBy === null && job.spentUsd === 0)).toBe(true);

    const worker = new JobWorker(db, { concurrency: 4, maxAttempts: 2, runners: workerKinds(db, config).runners, pollMs: 10 }).start();
    const deadline = Date.now() + 50_000;
    while (batchProgress(db, batch.batchId).counts.queued + batchProgress(db, batch.batchId).counts.running) {
      if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(jobs(batch.batchId))}`);
      await sleep(10);
    }
    await worker.stop();
    expect(jobs(batch.batchId).every((job) => job.status === 'succeeded')).toBe(true);
    expect(rows()).toHaveLength(2);
  });
});
