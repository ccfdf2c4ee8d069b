import OpenAI from 'openai';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { imageBytes } from '@/lib/images/serve';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { getJob } from '@/lib/jobs/jobs';
import { JobWorker, type WorkerOptions } from '@/lib/jobs/worker';
import { startLocalOpenAI, type LocalOpenAI } from '@/lib/openai-local/server';
import { judgeEdit } from '@/lib/openai-local/judge';
import { openaiConfig, type OpenAIConfig } from '@/lib/openai/config';
import { textCost } from '@/lib/openai/prices';
import { requestJob } from '@/lib/jobs/request';
import { workerKinds } from '@/lib/jobs/worker-kinds';
import { cleanupTemp, copySamples, tempDb } from '@/lib/test/factories';
import { estimateJudge, JUDGE_SIGNALS, PROMPT_VERSION } from '@/lib/signals/judge';
import { LoupeError } from '@/lib/errors';

/** Only these variables, not the test process's environment (NODE_ENV is typed as required). */
const env = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv;

let db: Db;
let datasetId: number;
let server: LocalOpenAI;
let config: OpenAIConfig;
let client: OpenAI;
let sent: Record<string, unknown>[];
let workers: JobWorker[];
let events: { job: number; type: string; message?: string }[];

beforeEach(async () => {
  ({ db } = tempDb());
  datasetId = (await importGptEdit(db, copySamples())).datasetId;
  server = await startLocalOpenAI();
  config = openaiConfig(env({ OPENAI_API_KEY: 'test', OPENAI_BASE_URL: server.url }));
  sent = [];
  // The runners' own client, recording each request body on its way out.
  client = new OpenAI({
    apiKey: 'test',
    baseURL: server.url,
    maxRetries: 0,
    fetch: async (input, init) => {
      if (typeof init?.body === 'string') sent.push(JSON.parse(init.body));
      return fetch(input, init);
    },
  });
  workers = [];
  events = [];
});

afterEach(async () => {
  for (const worker of workers) await worker.stop({ abort: true });
  await server.close();
  cleanupTemp();
});

function startWorker(options: Partial<WorkerOptions> = {}) {
  const worker = new JobWorker(db, {
    concurrency: 2,
    maxAttempts: 3,
    runners: workerKinds(db, config, { client }).runners,
    pollMs: 20,
    backoffBaseMs: 50,
    onEvent: (event) => events.push(event),
    ...options,
  });
  workers.push(worker);
  return worker.start();
}

async function ended(jobId: number, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = getJob(db, jobId);
    if (job && ['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not end`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface SignalRow {
  candidate_id: number;
  item_id: number;
  dataset_id: number;
  name: string;
  value: number;
  detail: string;
  job_id: number;
  computed_at: number;
}
const signalsOf = (itemId: number) =>
  db.$client.prepare('SELECT * FROM signals WHERE item_id = ? ORDER BY name').all(itemId) as SignalRow[];
const allSignals = () => db.$client.prepare('SELECT count(*) FROM signals').pluck().get() as number;
const firstItem = () =>
  db.$client
    .prepare(
      `SELECT id, current_candidate_id AS candidateId, current_instruction_id AS instructionId,
              source_width AS width, source_height AS height FROM items ORDER BY id LIMIT 1`,
    )
    .get() as { id: number; candidateId: number; instructionId: number; width: number; height: number };
const judge = (itemId: number, params?: unknown) => requestJob(db, config, { kind: 'judge', itemId, requestedBy: 'tester', params }).jobId;

describe('the judge job', () => {
  it("stores judge_sc, judge_pq and judge_overall of the item's current candidate, with the scores' provenance", async () => {
    const item = firstItem();
    const { jobId, estimatedUsd } = requestJob(db, config, { kind: 'judge', itemId: item.id, requestedBy: 'tester' });
    expect(estimatedUsd).toBeCloseTo(estimateJudge(config, item), 15);
    expect(getJob(db, jobId)).toMatchObject({ kind: 'judge', costUsd: estimatedUsd, params: {} });
    startWorker();
    const job = await ended(jobId);
    expect(job, job.error ?? '').toMatchObject({ status: 'succeeded', attempts: 1, error: null, resultCandidateId: null });

    // What was asked: the judge model, the current instruction, the source and the current candidate.
    const [request, ...more] = sent;
    expect(more).toHaveLength(0);
    expect(request).toMatchObject({
      model: 'gpt-4o',
      response_format: { type: 'json_schema', json_schema: { name: 'edit_judgement', strict: true } },
    });
    const user = (
      request.messages as { role: string; content: { type: string; text?: string; image_url?: { url: string; detail: string } }[] }[]
    )[1];
    const instruction = db.$client.prepare('SELECT text FROM instruction_versions WHERE id = ?').pluck().get(item.instructionId) as string;
    expect(user.content[0].text).toContain(`<instruction>\n${instruction}\n</instruction>`);
    const images = user.content.filter((part) => part.type === 'image_url').map((part) => part.image_url!);
    expect(images.map((image) => image.detail)).toEqual(['high', 'high']);
    const sourcePng = Buffer.from(images[0].url.replace(/^data:image\/png;base64,/, ''), 'base64');
    const editedPng = Buffer.from(images[1].url.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(await sharp(sourcePng).metadata()).toMatchObject({ format: 'png', width: item.width, height: item.height });
    const onDiskBytes = (await imageBytes(db, 'candidate', item.candidateId))!;
    const [sent1, onDisk] = await Promise.all([sharp(editedPng).raw().toBuffer(), sharp(onDiskBytes).raw().toBuffer()]);
    expect(sent1.equals(onDisk)).toBe(true);

    // What was stored: three rows of the current candidate, SC/PQ/O from the raw scores.
    const rows = signalsOf(item.id);
    expect(rows.map((row) => row.name)).toEqual([JUDGE_SIGNALS.overall, JUDGE_SIGNALS.pq, JUDGE_SIGNALS.sc]);
    for (const row of rows) expect(row).toMatchObject({ candidate_id: item.candidateId, dataset_id: datasetId, job_id: jobId });
    const detail = JSON.parse(rows[0].detail);
    const { reasoning, ...expectedScores } = await judgeEdit(sourcePng, editedPng);
    expect(detail).toMatchObject({
      model: 'gpt-4o',
      promptVersion: PROMPT_VERSION,
      imageDetail: 'high',
      scores: expectedScores,
      reasoning,
      instructionVersionId: item.instructionId,
      requestId: expect.stringMatching(/^req_/),
      simulated: true,
    });
    const { editing_success, over_editing, naturalness, artifacts } = detail.scores;
    const sc = Math.min(editing_success, over_editing);
    const pq = Math.min(naturalness, artifacts);
    const value = Object.fromEntries(rows.map((row) => [row.name, row.value]));
    expect(value).toEqual({ judge_sc: sc, judge_pq: pq, judge_overall: expect.closeTo(Math.sqrt(sc * pq), 12) });
    for (const v of Object.values(value)) expect(v >= 0 && v <= 10).toBe(true);

    // Cost from the reported usage.
    expect(detail.usage.prompt_tokens).toBeGreaterThan(500);
    expect(job.costUsd).toBeCloseTo(textCost('gpt-4o', detail.usage), 15);
    expect(detail.costUsd).toBe(job.costUsd);
  });

  it("a new judgement replaces the candidate's judge signals; a chosen candidate and model are honoured", async () => {
    const item = firstItem();
    startWorker();
    const first = judge(item.id);
    await ended(first);
    const second = judge(item.id);
    expect((await ended(second)).status).toBe('succeeded');
    const rows = signalsOf(item.id);
    expect(rows).toHaveLength(3);
    expect(rows.every((row) => row.job_id === second)).toBe(true);

    // Another candidate of the item (a copy of the current one, as a regeneration would add).
    const other = Number(
      db.$client
        .prepare(
          `INSERT INTO candidates (item_id, origin, root_id, path, width, height, provenance)
           SELECT item_id, 'regenerated', root_id, path, width, height, '{}' FROM candidates WHERE id = ?`,
        )
        .run(item.candidateId).lastInsertRowid,
    );
    config = { ...config, LOUPE_JUDGE_MODEL: 'gpt-4o-mini', LOUPE_JUDGE_DETAIL: 'low' };
    await workers[0].stop();
    startWorker();
    const third = judge(item.id, { candidateId: other });
    expect((await ended(third)).status).toBe('succeeded');
    const ofOther = signalsOf(item.id).filter((row) => row.candidate_id === other);
    expect(ofOther).toHaveLength(3);
    expect(JSON.parse(ofOther[0].detail)).toMatchObject({ model: 'gpt-4o-mini', imageDetail: 'low' });
    expect(sent.at(-1)).toMatchObject({ model: 'gpt-4o-mini' });
    expect(signalsOf(item.id)).toHaveLength(6);
  });

  it('fails at once, with a clear message and no signal rows, when the reply does not parse', async () => {
    server.queueFaults({ unparseable: true });
    const item = firstItem();
    const jobId = judge(item.id);
    startWorker();
    const job = await ended(jobId);
    expect(job).toMatchObject({ status: 'failed', attempts: 1 });
    expect(job.error).toMatch(/^the judge's reply does not match the score schema \(.*editing_success: .*expected number.*\): /);
    expect(job.error).toContain('very good');
    expect(events).toEqual([{ job: jobId, type: 'failed', message: job.error }]);
    expect(allSignals()).toBe(0);
  });

  it('retries a 429, then stores the signals', async () => {
    server.queueFaults({ status: 429 });
    const item = firstItem();
    const jobId = judge(item.id);
    startWorker();
    const job = await ended(jobId);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(events.find((e) => e.type === 'retry')?.message).toMatch(/^429 Rate limit reached for gpt-4o/);
    expect(signalsOf(item.id)).toHaveLength(3);
  });

  it('fails a moderation refusal at once', async () => {
    server.queueFaults({ status: 400, code: 'moderation_blocked' });
    const jobId = judge(firstItem().id);
    startWorker();
    expect(await ended(jobId)).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: '400 Your request was rejected by the safety system. (moderation_blocked)',
    });
    expect(allSignals()).toBe(0);
  });

  it('refuses bad requests before queuing', () => {
    const item = firstItem();
    const otherCandidate = db.$client.prepare('SELECT id FROM candidates WHERE item_id != ? LIMIT 1').pluck().get(item.id) as number;
    const refusal = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(LoupeError);
        return (error as LoupeError).message;
      }
      throw new Error('expected a refusal');
    };
    expect(refusal(() => judge(item.id, { candidateId: otherCandidate }))).toBe(
      `candidate ${otherCandidate} is not one of item ${item.id}'s`,
    );
    expect(refusal(() => judge(item.id, { quality: 'high' }))).toMatch(/^invalid job parameters: .*quality/);
    expect(refusal(() => judge(999_999))).toBe('item 999999 not found');
    judge(item.id);
    expect(refusal(() => judge(item.id))).toMatch(/already has a judge job/);
    expect(refusal(() => requestJob(db, openaiConfig(env({})), { kind: 'judge', itemId: item.id, requestedBy: 'x' }))).toMatch(
      /OPENAI_API_KEY/,
    );
  });
});
