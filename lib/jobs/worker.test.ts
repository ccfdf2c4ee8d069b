import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { startLocalOpenAI, type LocalOpenAI } from '@/lib/openai-local/server';
import { openaiConfig, type OpenAIConfig } from '@/lib/openai/config';
import { worstCaseImageCall } from '@/lib/openai/prices';
import { chooseBucket } from '@/lib/regenerate/recipe';
import { requestJob } from './request';
import { workerKinds } from './worker-kinds';
import { cleanupTemp, copySamples, tempDb } from '@/lib/test/factories';
import { cancelJob, getJob, type JobRow } from './jobs';
import type { JobRunner } from './kind';
import { JobWorker, type WorkerOptions } from './worker';

/** Only these variables, not the test process's environment (NODE_ENV is typed as required). */
const env = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv;

let db: Db;
let dir: string;
let server: LocalOpenAI;
let workers: JobWorker[];
let events: { job: number; type: string; message?: string }[];

beforeEach(async () => {
  ({ db, dir } = tempDb());
  await importGptEdit(db, copySamples());
  server = await startLocalOpenAI();
  workers = [];
  events = [];
});

afterEach(async () => {
  for (const worker of workers) await worker.stop({ abort: true });
  await server.close();
  cleanupTemp();
});

function configWith(imageTimeoutMs = 20_000): OpenAIConfig {
  return openaiConfig(env({ OPENAI_API_KEY: 'test', OPENAI_BASE_URL: server.url, LOUPE_IMAGE_TIMEOUT_MS: String(imageTimeoutMs) }));
}

function startWorker(config: OpenAIConfig, options: Partial<WorkerOptions> = {}): JobWorker {
  const worker = new JobWorker(db, {
    concurrency: 2,
    maxAttempts: 3,
    runners: workerKinds(db, config).runners,
    pollMs: 20,
    lockMs: 3_000,
    backoffBaseMs: 50,
    onEvent: (event) => events.push(event),
    ...options,
  });
  workers.push(worker);
  return worker.start();
}

async function waitFor<T>(read: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const ENDED = ['succeeded', 'failed', 'cancelled'];
const ended = (jobId: number) =>
  waitFor(() => {
    const job = getJob(db, jobId);
    return job && ENDED.includes(job.status) && job;
  });

interface ItemRow {
  id: number;
  width: number;
  height: number;
  currentCandidateId: number;
  currentInstructionId: number;
  instructionType: string;
}
const item = (id: number) =>
  db.$client
    .prepare(
      `SELECT id, source_width AS width, source_height AS height, current_candidate_id AS currentCandidateId,
              current_instruction_id AS currentInstructionId, instruction_type AS instructionType FROM items WHERE id = ?`,
    )
    .get(id) as ItemRow;
const firstItemId = (type = 'original') =>
  db.$client.prepare('SELECT id FROM items WHERE instruction_type = ? ORDER BY id LIMIT 1').pluck().get(type) as number;
const candidatesOfJob = (jobId: number) =>
  db.$client.prepare('SELECT * FROM candidates WHERE job_id = ?').all(jobId) as Record<string, unknown>[];
const editRequests = () => server.requests.filter((r) => r.path === '/v1/images/edits');

function queue(config: OpenAIConfig, kind: 'regenerate' | 'rewrite' = 'regenerate', itemId = firstItemId()) {
  return requestJob(db, config, { kind, itemId, requestedBy: 'tester' }).jobId;
}

describe('JobWorker with the real runners and the local OpenAI server', () => {
  it('regenerates an item: one candidate with provenance, stored content-addressed at the source size, made current', async () => {
    const config = configWith();
    const itemId = firstItemId();
    const before = item(itemId);
    const jobId = queue(config, 'regenerate', itemId);
    startWorker(config);

    const job = await ended(jobId);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 1, error: null });
    const [candidate, ...more] = candidatesOfJob(jobId);
    expect(more).toHaveLength(0);
    expect(candidate).toMatchObject({
      item_id: itemId,
      origin: 'regenerated',
      job_id: jobId,
      width: before.width,
      height: before.height,
      simulated: 1, // the local server says so in its x-loupe-simulated header
    });
    expect(job.resultCandidateId).toBe(candidate.id);
    expect(item(itemId).currentCandidateId).toBe(candidate.id);

    const provenance = JSON.parse(candidate.provenance as string);
    expect(provenance).toMatchObject({ model: 'gpt-image-1', quality: 'high', requestId: expect.stringMatching(/^req_/) });
    expect(provenance.prompt).toBe(
      db.$client.prepare('SELECT text FROM instruction_versions WHERE id = ?').pluck().get(before.currentInstructionId),
    );
    expect(['1024x1024', '1536x1024', '1024x1536']).toContain(provenance.size);
    expect(provenance.paddingBox).toEqual({
      left: expect.any(Number),
      top: expect.any(Number),
      width: expect.any(Number),
      height: expect.any(Number),
    });
    expect(provenance.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number) });
    expect(provenance.costUsd).toBeGreaterThan(0);
    expect(job.costUsd).toBeCloseTo(provenance.costUsd, 12);

    const root = db.$client.prepare('SELECT path FROM image_roots WHERE id = ?').pluck().get(candidate.root_id) as string;
    expect(root).toBe(path.join(dir, 'images'));
    const file = path.join(root, candidate.path as string);
    const sha = path.basename(file, '.png');
    expect(candidate.path).toBe(`${sha.slice(0, 2)}/${sha}.png`);
    expect(await sharp(fs.readFileSync(file)).metadata()).toMatchObject({ width: before.width, height: before.height });
  });

  it('rewrites an instruction: a new current rewrite version, the original kept', async () => {
    const config = configWith();
    const itemId = firstItemId('original');
    const original = item(itemId).currentInstructionId;
    const jobId = queue(config, 'rewrite', itemId);
    startWorker(config);

    const job = await ended(jobId);
    expect(job.status, job.error ?? '').toBe('succeeded');
    const versions = db.$client.prepare('SELECT id, kind, text FROM instruction_versions WHERE item_id = ? ORDER BY id').all(itemId) as {
      id: number;
      kind: string;
      text: string;
    }[];
    expect(versions.map((v) => v.kind)).toEqual(['original', 'rewrite']);
    expect(versions[0].id).toBe(original);
    expect(versions[1].text.length).toBeGreaterThan(3);
    expect(job.resultInstructionId).toBe(versions[1].id);
    expect(item(itemId).currentInstructionId).toBe(versions[1].id);
  });

  it('retries a 429 no sooner than its retry-after, then succeeds', async () => {
    const config = configWith();
    server.queueFaults({ status: 429, retryAfterSeconds: 1 });
    const jobId = queue(config);
    startWorker(config);

    const job = await ended(jobId);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 2 });
    const [first, second] = editRequests();
    expect(second.at - first.at).toBeGreaterThanOrEqual(1000);
    expect(events.find((e) => e.type === 'retry')?.message).toMatch(/^429 Rate limit reached/);
  });

  it('retries a 500', async () => {
    const config = configWith();
    server.queueFaults({ status: 500 });
    const jobId = queue(config);
    startWorker(config);
    const job = await ended(jobId);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(1);
    // An error answer is not billed: only the call that succeeded is counted.
    expect(job.costUsd).toBeGreaterThan(0);
    expect(job.spentUsd).toBeCloseTo(job.costUsd, 12);
  });

  it('retries an answer slower than LOUPE_IMAGE_TIMEOUT_MS', async () => {
    const config = configWith(1_500);
    server.queueFaults({ slowMs: 5_000 });
    const jobId = queue(config);
    startWorker(config);
    const job = await ended(jobId);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(events.find((e) => e.type === 'retry')?.message).toBe('the API did not answer in time');
    // The call cut off may have been billed: it stays counted at its reservation (the worst case).
    const { size, quality, prompt } = JSON.parse(candidatesOfJob(jobId)[0].provenance as string);
    expect(job.spentUsd - job.costUsd).toBeCloseTo(worstCaseImageCall(config.LOUPE_IMAGE_MODEL, quality, size, prompt, true), 12);
  });

  it('fails a moderation block at once, with the API message', async () => {
    const config = configWith();
    server.queueFaults({ status: 400, code: 'moderation_blocked' });
    const jobId = queue(config);
    startWorker(config);
    const job = await ended(jobId);
    expect(job).toMatchObject({ status: 'failed', attempts: 1 });
    expect(job.error).toBe('400 Your request was rejected by the safety system. (moderation_blocked)');
    expect(candidatesOfJob(jobId)).toHaveLength(0);
  });

  it('gives up after max attempts', async () => {
    const config = configWith();
    server.queueFaults({ status: 500 }, { status: 500 }, { status: 500 });
    const jobId = queue(config);
    startWorker(config, { maxAttempts: 3 });
    const job = await ended(jobId);
    expect(job).toMatchObject({ status: 'failed', attempts: 3 });
    expect(job.error).toMatch(/^gave up after 3 attempts: 500 /);
    expect(editRequests()).toHaveLength(3);
  });

  it('cancels a queued job: it never runs', async () => {
    const config = configWith();
    const jobId = queue(config);
    expect(cancelJob(db, jobId)).toBe('cancelled');
    startWorker(config);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(getJob(db, jobId)).toMatchObject({ status: 'cancelled', attempts: 0 });
    expect(server.requests).toHaveLength(0);
  });

  it('a worker given only some runners and no claim leaves the other kinds queued (they used to be taken and failed: no runner)', async () => {
    const config = configWith();
    const jobId = queue(config);
    startWorker(config, { runners: { signals: workerKinds(db, config).runners.signals } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(getJob(db, jobId)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(server.requests).toHaveLength(0);
  });

  it('cancels a running job: its worker aborts it and no candidate is written', async () => {
    const config = configWith();
    server.setLatency(10_000);
    const itemId = firstItemId();
    const jobId = queue(config, 'regenerate', itemId);
    startWorker(config, { lockMs: 600 }); // the heartbeat (lockMs / 3) notices the cancel
    await waitFor(() => editRequests().length === 1);
    expect(cancelJob(db, jobId)).toBe('running');

    const job = await ended(jobId);
    expect(job).toMatchObject({ status: 'cancelled', error: 'cancelled while running' });
    expect(candidatesOfJob(jobId)).toHaveLength(0);
    expect(events).toContainEqual({ job: jobId, type: 'cancelled', message: undefined });
  });

  it('requeues, on start, jobs left running by a dead process or with an expired lock, and runs each once', async () => {
    const config = configWith();
    const [a, b] = db.$client
      .prepare(`SELECT id FROM items WHERE instruction_type = 'original' ORDER BY id LIMIT 2`)
      .pluck()
      .all() as number[];
    const deadPid = queue(config, 'regenerate', a);
    const expired = queue(config, 'regenerate', b);
    const orphan = db.$client.prepare(
      `UPDATE jobs SET status = 'running', attempts = 1, locked_by = ?, locked_until = ?, started_at = 1 WHERE id = ?`,
    );
    orphan.run(`${os.hostname()}:999999:x`, Date.now() + 60_000, deadPid);
    orphan.run('elsewhere:1:y', Date.now() - 1, expired);

    startWorker(config);
    for (const jobId of [deadPid, expired]) {
      expect(await ended(jobId)).toMatchObject({ status: 'succeeded', attempts: 2 });
      expect(candidatesOfJob(jobId)).toHaveLength(1);
    }
    expect(editRequests()).toHaveLength(2);
  });

  it('a pair regeneration its batch can pay only half of sends nothing (the source image is never paid twice)', async () => {
    const config = configWith();
    const itemId = firstItemId();
    const description = 'A red bicycle leaning on a white wall.';
    db.$client
      .prepare(`UPDATE items SET family = 'hqedit', task = 'generate', metadata = ? WHERE id = ?`)
      .run(JSON.stringify({ input_description: description }), itemId);
    const { width, height } = item(itemId);
    const bucket = chooseBucket(width, height);
    const worstGenerate = worstCaseImageCall('gpt-image-1', 'high', `${bucket.width}x${bucket.height}`, description, false);
    const batchId = Number(
      db.$client
        .prepare(
          `INSERT INTO batches (kind, filter, budget_usd, estimated_usd, total, created_by) VALUES ('regenerate_pair', '{}', ?, 0, 1, 't')`,
        )
        .run(worstGenerate * 1.5).lastInsertRowid,
    );
    const jobId = requestJob(db, config, { kind: 'regenerate_pair', itemId, requestedBy: 'tester', batchId }).jobId;
    db.$client.prepare('UPDATE jobs SET cost_usd = 0.01 WHERE id = ?').run(jobId); // an estimate that lets a worker take it
    startWorker(config);

    expect(await ended(jobId)).toMatchObject({ status: 'cancelled', spentUsd: 0 });
    expect(server.requests.filter((r) => r.path.startsWith('/v1/images'))).toHaveLength(0);
  });

  it('with `preparing`, runs more jobs than calls: at most `concurrency` calls in flight, the other jobs working beside them', async () => {
    const config = configWith();
    const itemIds = db.$client.prepare('SELECT id FROM items ORDER BY id LIMIT 6').pluck().all() as number[];
    const jobIds = itemIds.map((itemId) => queue(config, 'regenerate', itemId));
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    let maxCalls = 0;
    const runner: JobRunner = async (job, signal, spend) => {
      maxRunning = Math.max(maxRunning, ++running);
      await sleep(30); // its own work before the call (a regeneration's padding)
      await spend.paid(
        0,
        async () => {
          maxCalls = Math.max(maxCalls, ++calls);
          await sleep(60);
          calls--;
        },
        () => 0,
      );
      await sleep(30); // and after it
      running--;
      return { costUsd: 0, commit: () => ({}) };
    };
    startWorker(config, { concurrency: 2, preparing: 2, runners: { regenerate: runner } });
    for (const jobId of jobIds) expect(await ended(jobId)).toMatchObject({ status: 'succeeded' });
    expect(maxRunning).toBe(4);
    expect(maxCalls).toBe(2);
  });

  it('with `preparing`, a job cancelled while it waits for a call slot sends nothing and reserves nothing', async () => {
    const config = configWith();
    const [first, second] = db.$client.prepare('SELECT id FROM items ORDER BY id LIMIT 2').pluck().all() as number[];
    const holding = queue(config, 'regenerate', first);
    const waiting = queue(config, 'regenerate', second);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const called: number[] = [];
    const runner: JobRunner = async (job, signal, spend) => {
      await spend.paid(
        0.05,
        async () => {
          called.push(job.id);
          if (job.id === holding) await released; // holds the only slot
        },
        () => 0.05,
      );
      return { costUsd: 0.05, commit: () => ({}) };
    };
    // One call slot, one job preparing beside it; the heartbeat (a third of the lock) sees the cancel.
    startWorker(config, { concurrency: 1, preparing: 1, lockMs: 300, runners: { regenerate: runner } });
    await waitFor(() => called.includes(holding) && getJob(db, waiting)?.status === 'running');
    expect(cancelJob(db, waiting)).toBe('running');
    expect(await ended(waiting)).toMatchObject({ status: 'cancelled', spentUsd: 0 });
    release();
    expect(await ended(holding)).toMatchObject({ status: 'succeeded' });
    expect(called).toEqual([holding]);
  });

  it('never writes a candidate for a job whose lock was taken by another worker', async () => {
    const config = configWith();
    const runners = workerKinds(db, config).runners;
    const stealing: JobRunner = async (job, signal, spend) => {
      const outcome = await runners.regenerate!(job, signal, spend);
      db.$client.prepare(`UPDATE jobs SET locked_by = 'thief' WHERE id = ?`).run(job.id);
      return outcome;
    };
    const itemId = firstItemId();
    const candidatesBefore = db.$client.prepare('SELECT count(*) FROM candidates WHERE item_id = ?').pluck().get(itemId);
    const jobId = queue(config, 'regenerate', itemId);
    startWorker(config, { runners: { regenerate: stealing } });

    await waitFor(() => events.some((e) => e.job === jobId));
    expect(events).toEqual([{ job: jobId, type: 'discarded', message: 'lock lost; another worker owns the job' }]);
    expect(getJob(db, jobId)).toMatchObject<Partial<JobRow>>({ status: 'running', lockedBy: 'thief', resultCandidateId: null });
    expect(candidatesOfJob(jobId)).toHaveLength(0);
    expect(db.$client.prepare('SELECT count(*) FROM candidates WHERE item_id = ?').pluck().get(itemId)).toBe(candidatesBefore);
  });
});
