import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '@/db';
import type { JobKind } from '@/lib/jobs/kinds';
import { requestJob } from '@/lib/jobs/request';
import { openaiConfig } from '@/lib/openai/config';
import { startLocalOpenAI, type LocalOpenAI } from '@/lib/openai-local/server';
import { runLoupe } from '@/lib/test/cli';
import { cleanupTemp, gptEditRecord, pngBuffer, tempDir, writeGptEditLayout } from '@/lib/test/factories';
import { start, waitFor, type Started } from './processes';

/**
 * Several `loupe worker` processes on one data folder share the queue (issue 12 §4): every job
 * runs to one result and is sent to the API once, also when one worker is killed with SIGKILL in
 * the middle of its calls (the others take its jobs once their lease lapses). The calls are
 * counted at the server, through a recording proxy in front of the local OpenAI server that knows
 * each call's job, and the results as rows in the database.
 */

const ITEMS = 30;
/** Per item: three paid kinds (an image edit or a chat call each) and the local signals. */
const KINDS: JobKind[] = ['regenerate', 'rewrite', 'judge', 'signals'];
const PAID: JobKind[] = ['regenerate', 'rewrite', 'judge'];
const WORKERS = 4;

/** One paid call as the proxy saw it: the job it was for, when it came and when it ended. */
interface Call {
  /** `<kind>:<item n>`: one job per kind and item, so one job. */
  job: string;
  path: string;
  start: number;
  end?: number;
  /** The client hung up before the answer was sent (its process died). */
  cutOff: boolean;
}

/** Item n's source image is all one colour, its own: a call tells its item by the first image it sends. */
const colourOf = (n: number) => ({ r: 10 + 8 * n, g: 240 - 7 * n, b: 100 });

/**
 * Which job a call is for: the kind by the endpoint and, for chat, the schema's name
 * (edit_instruction: a rewrite; edit_judgement: the judge); the item by the colour of the source,
 * the first image of every call (an image edit uploads the padded source, whose centre is the
 * source; a chat call sends the source's data URL before the edited image's).
 */
async function jobOfCall(urlPath: string, body: Buffer): Promise<string> {
  const text = body.toString('latin1');
  const kind = urlPath.endsWith('/images/edits')
    ? 'regenerate'
    : text.includes('"edit_instruction"')
      ? 'rewrite'
      : text.includes('"edit_judgement"')
        ? 'judge'
        : '?';
  let png: Buffer | undefined;
  const dataUrl = /data:image\/png;base64,([A-Za-z0-9+/=]+)/.exec(text);
  if (dataUrl) png = Buffer.from(dataUrl[1], 'base64');
  else {
    const from = body.indexOf(PNG_SIGNATURE);
    const iend = body.indexOf('IEND', from);
    if (from >= 0 && iend > from) png = body.subarray(from, iend + 8);
  }
  if (!png) return `${kind}:?`;
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * 3;
  const n = (data[at] - 10) / 8;
  const match = Number.isInteger(n) && n >= 0 && n < ITEMS && data[at + 1] === colourOf(n).g;
  return `${kind}:${match ? n : '?'}`;
}
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A proxy in front of the local OpenAI server that logs every call with its job and its time in flight. */
async function recordingProxy(upstream: string) {
  const target = new URL(upstream);
  const calls: Call[] = [];
  const named: Promise<unknown>[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const call: Call = { job: '?', path: req.url ?? '', start: Date.now(), cutOff: false };
      calls.push(call);
      named.push(jobOfCall(call.path, body).then((job) => (call.job = job)));
      const forward = http.request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
      // 'close' comes when the answer was sent, or when the client went away first (then the call is cut off).
      res.on('close', () => {
        call.end = Date.now();
        call.cutOff = !res.writableFinished;
        if (call.cutOff) forward.destroy();
      });
    });
  });
  // As the local server does: the client, not the proxy, retires idle sockets (one closed just as the
  // client reuses it would fail that call with ECONNRESET, a retry no worker caused).
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    /** Every call logged so far, each named by its job. */
    calls: async () => {
      await Promise.all(named);
      return calls;
    },
    open: () => calls.filter((call) => call.end === undefined),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
type Proxy = Awaited<ReturnType<typeof recordingProxy>>;

let layoutDir: string;
let imported: string;
beforeAll(async () => {
  // One import, copied for each test: the folder of a data directory with ITEMS items of real images.
  const layout = path.join(tempDir('loupe-workers-layout-'), 'gpt-edit');
  await writeGptEditLayout(
    layout,
    Array.from({ length: ITEMS }, (_, n) => gptEditRecord('omniedit', 'style', n)),
    { family: 'omniedit', task: 'style' },
  );
  // Each item's source its own colour, so each call tells its item (jobOfCall).
  for (let n = 0; n < ITEMS; n++) {
    fs.writeFileSync(
      path.join(layout, 'omniedit', 'style', 'input', `${String(n).padStart(8, '0')}.png`),
      await pngBuffer(64, 48, colourOf(n)),
    );
  }
  layoutDir = layout;
  imported = tempDir('loupe-workers-imported-');
  const result = runLoupe(imported, ['import', layoutDir, '--json']);
  expect(result.code, result.stderr).toBe(0);
}, 120_000);
afterAll(() => cleanupTemp());

let server: LocalOpenAI | undefined;
let proxy: Proxy | undefined;
let db: Db | undefined;
const workers: Started[] = [];
afterEach(async () => {
  for (const worker of workers.splice(0))
    if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
  db?.$client.close();
  db = undefined;
  await proxy?.close();
  proxy = undefined;
  await server?.close();
  server = undefined;
});

/** A copy of the imported data folder, the local OpenAI server with this latency, and the proxy in front of it. */
async function setUp(latencyMs: number) {
  const dataDir = tempDir('loupe-workers-');
  fs.cpSync(imported, dataDir, { recursive: true });
  server = await startLocalOpenAI({ latencyMs });
  proxy = await recordingProxy(server.url);
  const env = { OPENAI_API_KEY: 'test', OPENAI_BASE_URL: proxy.url, LOUPE_IMAGE_QUALITY: 'low', LOUPE_IMAGE_MODEL: 'gpt-image-1' };
  db = openDb(path.join(dataDir, 'loupe.db'));
  return { dataDir, env, db, proxy, server };
}

/**
 * Queues every kind on every item, as people and batches do: the paid kinds of even items one by
 * one, those of odd items in a batch with room to spare (the batch class and its budget check),
 * signals as bulk work. Kinds interleaved, so each worker meets all of them.
 */
function enqueueAll(db: Db, env: Record<string, string>): Map<number, string> {
  const config = openaiConfig(env);
  const batchId = Number(
    db.$client
      .prepare(
        `INSERT INTO batches (kind, filter, budget_usd, estimated_usd, total, created_by) VALUES ('regenerate', '{}', 1000, 0, 0, 'test')`,
      )
      .run().lastInsertRowid,
  );
  const items = db.$client.prepare('SELECT id, external_id AS externalId FROM items ORDER BY id').all() as {
    id: number;
    externalId: string;
  }[];
  expect(items).toHaveLength(ITEMS);
  // Job id -> `<kind>:<n>`, as the proxy names calls (the record's n is the end of its external id).
  const jobs = new Map<number, string>();
  for (const [i, item] of items.entries()) {
    for (const kind of KINDS) {
      const batched = kind !== 'signals' && i % 2 === 1;
      const { jobId } = requestJob(db, config, { kind, itemId: item.id, requestedBy: 'cli:test', ...(batched ? { batchId } : {}) });
      jobs.set(jobId, `${kind}:${Number(item.externalId.split('_').at(-1))}`);
    }
  }
  return jobs;
}

function startWorkers(count: number, dataDir: string, env: Record<string, string>): Started[] {
  const started = Array.from({ length: count }, () => start(['cli/loupe.ts', 'worker', '--concurrency', '4'], dataDir, env));
  workers.push(...started);
  return started;
}

const open = (db: Db) => db.$client.prepare(`SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')`).pluck().get() as number;

/** Stops the workers that are still alive (SIGTERM: they finish what they run) and checks they exit cleanly. */
async function stopAll(started: Started[]) {
  const alive = started.filter((worker) => worker.child.exitCode === null && worker.child.signalCode === null);
  for (const worker of alive) worker.child.kill('SIGTERM');
  for (const worker of alive) expect((await worker.exited).code, worker.stderr()).toBe(0);
}

/** Job ids a worker said it finished (`job N: succeeded` on its stderr). */
const succeededBy = (worker: Started) => [...worker.stderr().matchAll(/^job (\d+): succeeded$/gm)].map((match) => Number(match[1]));

interface JobState {
  id: number;
  kind: JobKind;
  status: string;
  attempts: number;
  lockedBy: string | null;
  error: string | null;
  costUsd: number;
  spentUsd: number;
}
const jobStates = (db: Db) =>
  db.$client
    .prepare(
      `SELECT id, kind, status, attempts, locked_by AS lockedBy, error, cost_usd AS costUsd, spent_usd AS spentUsd FROM jobs ORDER BY id`,
    )
    .all() as JobState[];

/** Every job succeeded and holds no lock; each made one result row (a candidate, a version), tied to it. */
function checkResults(db: Db, jobs: Map<number, string>) {
  const states = jobStates(db);
  expect(states.map((job) => job.id)).toEqual([...jobs.keys()].sort((a, b) => a - b));
  expect(
    states.filter((job) => job.status !== 'succeeded' || job.lockedBy !== null),
    'jobs not succeeded, or still locked',
  ).toEqual([]);
  const q = (sql: string) => db.$client.prepare(sql).pluck().get() as number;
  expect(q(`SELECT count(*) FROM candidates WHERE origin = 'regenerated'`)).toBe(ITEMS);
  expect(
    q(`SELECT count(*) FROM jobs j JOIN candidates c ON c.id = j.result_candidate_id AND c.job_id = j.id WHERE j.kind = 'regenerate'`),
  ).toBe(ITEMS);
  expect(q(`SELECT count(*) FROM instruction_versions WHERE kind = 'rewrite'`)).toBe(ITEMS);
  expect(
    q(
      `SELECT count(*) FROM jobs j JOIN instruction_versions v ON v.id = j.result_instruction_id WHERE j.kind = 'rewrite' AND v.kind = 'rewrite'`,
    ),
  ).toBe(ITEMS);
  return states;
}

/** The calls per job as the proxy saw them, and a check that no two calls of one job were ever in flight together. */
async function callsPerJob(proxy: Proxy, server: LocalOpenAI, jobs: Map<number, string>) {
  expect(proxy.open(), 'calls still in flight').toEqual([]);
  const logged = await proxy.calls();
  const paidPaths = new Set(['/v1/images/edits', '/v1/chat/completions']);
  // The proxy passed every call on: the server logged as many, less calls cut off before their body
  // reached it (a killed worker's upload; the proxy still counts them: they may have been billed).
  const atServer = server.requests.filter((request) => paidPaths.has(request.path)).length;
  expect(atServer).toBeLessThanOrEqual(logged.length);
  expect(atServer).toBeGreaterThanOrEqual(logged.filter((call) => !call.cutOff).length);
  const byJob = new Map<string, Call[]>();
  for (const call of logged) byJob.set(call.job, [...(byJob.get(call.job) ?? []), call]);
  const paidJobs = new Set([...jobs.values()].filter((job) => PAID.some((kind) => job.startsWith(`${kind}:`))));
  // Every call is one of the paid jobs (none unknown), and every paid job made a call.
  expect([...byJob.keys()].sort()).toEqual([...paidJobs].sort());
  for (const [job, calls] of byJob) {
    const sorted = [...calls].sort((a, b) => a.start - b.start);
    for (let n = 1; n < sorted.length; n++) {
      expect(sorted[n].start, `${job}: call ${n + 1} sent while call ${n} was in flight`).toBeGreaterThanOrEqual(sorted[n - 1].end!);
    }
  }
  return { byJob, logged };
}

describe('four workers on one data folder', () => {
  it(`share ${ITEMS * KINDS.length} jobs of mixed kinds: each runs once, to one result and one call, and the spend adds up`, async () => {
    const { dataDir, env, db, proxy, server } = await setUp(30);
    const jobs = enqueueAll(db, env);
    expect(jobs.size).toBe(ITEMS * KINDS.length);

    const started = Date.now();
    const four = startWorkers(WORKERS, dataDir, env);
    await waitFor(() => open(db) === 0, 'every job to end', 150_000);
    const seconds = (Date.now() - started) / 1000;
    await stopAll(four);

    const states = checkResults(db, jobs);
    expect(states.filter((job) => job.attempts !== 1)).toEqual([]);
    // One call per paid job at the server: nothing was sent twice.
    const { byJob: calls, logged } = await callsPerJob(proxy, server, jobs);
    expect([...calls.values()].filter((own) => own.length !== 1)).toEqual([]);
    // What each job committed is its cost, exactly: no call uncounted, none counted twice.
    expect(states.filter((job) => Math.abs(job.spentUsd - job.costUsd) > 1e-9)).toEqual([]);
    expect(states.filter((job) => PAID.includes(job.kind) && job.spentUsd <= 0)).toEqual([]);
    // Every worker took part, and each job was reported done by one of them.
    const done = four.map(succeededBy);
    for (const own of done) expect(own.length).toBeGreaterThan(0);
    expect(done.flat().sort((a, b) => a - b)).toEqual([...jobs.keys()].sort((a, b) => a - b));
    console.log(
      `${WORKERS} workers: ${jobs.size} jobs in ${seconds.toFixed(1)} s; per worker ${done.map((own) => own.length).join(' / ')}; ` +
        `${logged.length} calls`,
    );
  }, 240_000);

  it('one killed with SIGKILL mid-call: the others take its jobs when their lease lapses and run each once more; its cut-off calls stay counted', async () => {
    // Slow answers: the victim surely has calls in flight when it is killed.
    const setup = await setUp(400);
    const { dataDir, db, proxy, server } = setup;
    // Locks of 8 s (renewed every third of that) instead of 30: the survivors take the orphans when it lapses.
    const env = { ...setup.env, LOUPE_JOB_LOCK_MS: '8000' };
    const jobs = enqueueAll(db, env);
    const four = startWorkers(WORKERS, dataDir, env);
    const [victim, ...survivors] = four;
    const held = () =>
      db.$client
        .prepare(`SELECT id FROM jobs WHERE status = 'running' AND locked_by LIKE ?`)
        .pluck()
        .all(`%:${victim.child.pid}:%`) as number[];
    // Killed once it has finished some jobs and holds others, one of them with its call in flight.
    await waitFor(
      () => {
        const flying = new Set(proxy.open().map((call) => call.job));
        return succeededBy(victim).length >= 2 && held().some((id) => flying.has(jobs.get(id)!));
      },
      'the victim to be mid-call',
      120_000,
    );
    victim.child.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    const orphans = held();
    expect(orphans.length).toBeGreaterThan(0);

    // Its jobs stay running under its lock until the lock lapses; no one else may touch them before.
    // The survivors, started before the kill, find the lapsed lock on their own.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(held()).toEqual(orphans);

    await waitFor(() => open(db) === 0, 'every job to end', 150_000);
    await stopAll(survivors);

    const states = checkResults(db, jobs);
    // The orphans ran again (a second attempt, by a survivor); nothing else did.
    expect(states.filter((job) => job.attempts > 1).map((job) => job.id)).toEqual([...orphans].sort((a, b) => a - b));
    expect(states.filter((job) => job.attempts > 2)).toEqual([]);
    const again = survivors.flatMap(succeededBy);
    for (const id of orphans) expect(again).toContain(id);
    // Each job reported done once, by the victim (before the kill) or a survivor.
    const done = four.flatMap(succeededBy);
    expect(done.sort((a, b) => a - b)).toEqual([...jobs.keys()].sort((a, b) => a - b));

    // At the server: one call per paid job, and a second for the orphans whose first call was sent; never two at once.
    const { byJob: calls, logged } = await callsPerJob(proxy, server, jobs);
    const orphanJobs = new Set(orphans.map((id) => jobs.get(id)!));
    const cutOff = logged.filter((call) => call.cutOff);
    expect(cutOff.length).toBeGreaterThan(0);
    for (const call of cutOff) expect(orphanJobs, `${call.job} cut off but not the victim's`).toContain(call.job);
    for (const [job, own] of calls) expect(own.length, job).toBe(orphanJobs.has(job) ? own.length : 1);
    for (const [job, own] of calls) expect(own.length, job).toBeLessThanOrEqual(2);
    // No spend uncounted: a call sent and never answered stays committed at its reservation, its
    // worst case, at least what the call costs; and every call costs at least the cheapest call of
    // its kind that succeeded (calls of a job may differ: a regeneration sends the instruction
    // current when it runs, which a rewrite may have lengthened meanwhile).
    const cheapest = new Map<JobKind, number>();
    for (const state of states) cheapest.set(state.kind, Math.min(cheapest.get(state.kind) ?? Infinity, state.costUsd));
    const byId = new Map(states.map((job) => [job.id, job]));
    for (const [id, job] of jobs) {
      const state = byId.get(id)!;
      const sent = calls.get(job)?.length ?? 0;
      const atLeast = sent === 0 ? 0 : state.costUsd + (sent - 1) * cheapest.get(state.kind)!;
      expect(state.spentUsd, `job ${id} (${job}): ${sent} calls`).toBeGreaterThanOrEqual(atLeast - 1e-9);
      if (!orphans.includes(id)) expect(Math.abs(state.spentUsd - state.costUsd), `job ${id}`).toBeLessThan(1e-9);
    }
    const spent = states.reduce((sum, job) => sum + job.spentUsd, 0);
    const cost = states.reduce((sum, job) => sum + job.costUsd, 0);
    expect(spent).toBeGreaterThan(cost);
    console.log(
      `SIGKILL of 1 of ${WORKERS} workers: ${orphans.length} jobs orphaned, ${cutOff.length} calls cut off; ` +
        `spent $${spent.toFixed(4)} for $${cost.toFixed(4)} of results`,
    );
  }, 240_000);
});
