/**
 * Regeneration throughput benchmark:
 * `npm run bench:regenerate -- [--latency-ms L=500] [--concurrency C=8] [--preparing J=cores] [--jobs N=200]
 *   [--poll-ms P=10] [--fault-rate R=0.1] [--backoff-ms B=2000] [--keep]`.
 *
 * A JobWorker at concurrency C (API calls in flight; J more jobs may pad or crop beside them, as
 * the server's worker runs) runs N regenerate jobs (one batch over a dataset of N small
 * items) against the local OpenAI-compatible server, which answers every request after a fixed
 * latency L and runs in a child process (as the real API is elsewhere). Ideal throughput is
 * C / L jobs per second; the report gives the fraction achieved (goal >= 0.9) in three runs:
 *
 * 1. worker only: the runner just waits L (the worker's own cost: claiming, locks, polling);
 * 2. real runners: the paper's recipe (pad, edit, crop, check, store) through the OpenAI SDK;
 * 3. real runners with R of requests answered 429 (retry-after: 0).
 *
 * Prints a markdown table on stdout and writes JSON to bench/out/regenerate-<date>.json.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import sharp from 'sharp';
import { checkpointOnTimer, openDb, type Db } from '@/db';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import type { JobRunner } from '@/lib/jobs/kind';
import { defaultPreparing, JobWorker, type WorkerOptions } from '@/lib/jobs/worker';
import { startLocalOpenAI } from '@/lib/openai-local/server';
import { startBatch } from '@/lib/batches/batch';
import { openaiConfig } from '@/lib/openai/config';
import { workerKinds } from '@/lib/jobs/worker-kinds';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const GOAL = 0.9;

const { values: args } = parseArgs({
  options: {
    'latency-ms': { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '8' },
    preparing: { type: 'string', default: String(defaultPreparing()) },
    jobs: { type: 'string', default: '200' },
    'poll-ms': { type: 'string', default: '10' },
    'fault-rate': { type: 'string', default: '0.1' },
    'backoff-ms': { type: 'string', default: '2000' },
    keep: { type: 'boolean', default: false },
    serve: { type: 'boolean', default: false }, // internal: run the local server in this (child) process
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function number(name: string, min = 0): number {
  const value = Number(args[name as keyof typeof args]);
  if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number >= ${min}`);
  return value;
}

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A textured 256x171 PNG (smooth noise), so PNG coding costs what a photo's would. */
async function texturedPng(width: number, height: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  let seed = 12345;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    data[i] = (i % 3) * 60 + ((seed >>> 16) % 80);
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .blur(1.2)
    .png()
    .toBuffer();
}

/** A GPT-Image-Edit layout of n records in omniedit/style, every input the same small PNG. */
async function writeLayout(root: string, n: number) {
  const task = path.join(root, 'omniedit', 'style');
  for (const sub of ['input', 'output', 'metadata']) fs.mkdirSync(path.join(task, sub), { recursive: true });
  const png = await texturedPng(256, 171);
  const records = [];
  for (let i = 0; i < n; i++) {
    const file = `${String(i).padStart(8, '0')}.png`;
    fs.writeFileSync(path.join(task, 'input', file), png);
    fs.writeFileSync(path.join(task, 'output', file), png);
    records.push({
      id: `omniedit_style_${i}`,
      dataset_source: 'omniedit',
      task: 'style',
      input: `input/${file}`,
      output: `output/${file}`,
      instruction: 'Turn the picture into a watercolor painting.',
      instruction_type: 'original',
    });
  }
  fs.writeFileSync(path.join(task, 'metadata', 'omniedit_style.json'), JSON.stringify(records));
}

interface Server {
  url: string;
  child: ChildProcess;
  control(body: unknown): Promise<unknown>;
  requests(): Promise<number>;
}

/**
 * CPU seconds (utime + stime, in clock ticks of 1/100 s on Linux) of a process and of its main
 * thread: the rest is its other threads (worker threads, libuv's pool and libvips' workers, where
 * sharp runs, and V8's helpers).
 */
function cpuSeconds(pid: number): { total: number; main: number } {
  const ticks = (file: string) => {
    const fields = fs.readFileSync(file, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  return { total: ticks(`/proc/${pid}/stat`), main: ticks(`/proc/${pid}/task/${pid}/stat`) };
}

async function startServerProcess(): Promise<Server> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`the local server exited (${code})`)));
  });
  const base = url.replace(/\/v1$/, '');
  return {
    url,
    child,
    control: async (body) => (await fetch(`${base}/__control/faults`, { method: 'POST', body: JSON.stringify(body) })).json(),
    requests: async () => ((await (await fetch(`${base}/__control/requests`)).json()) as { requests: unknown[] }).requests.length,
  };
}

/** Where a job's time goes: before its API call, the call (to response headers), after it. */
interface Phases {
  start: number;
  fetchStart?: number;
  fetchEnd?: number;
  end?: number;
}

/**
 * The real runners with an OpenAI client whose fetch is timed (openaiClient's options plus a
 * fetch hook), each call attributed to its job through AsyncLocalStorage. Only the last attempt counts.
 */
function timedRunners(db: Db, config: ReturnType<typeof openaiConfig>, phases: Map<number, Phases>): WorkerOptions['runners'] {
  const current = new AsyncLocalStorage<Phases>();
  const client = new OpenAI({
    apiKey: config.OPENAI_API_KEY,
    baseURL: config.OPENAI_BASE_URL,
    maxRetries: 0,
    timeout: config.LOUPE_IMAGE_TIMEOUT_MS,
    fetch: async (input, init) => {
      const phase = current.getStore();
      if (phase) phase.fetchStart = performance.now();
      const response = await fetch(input, init);
      if (phase) phase.fetchEnd = performance.now();
      return response;
    },
  });
  const real = workerKinds(db, config, { client }).runners.regenerate!;
  return {
    regenerate: (job, signal, spend) => {
      const phase: Phases = { start: performance.now() };
      phases.set(job.id, phase);
      return current.run(phase, async () => {
        try {
          return await real(job, signal, spend);
        } finally {
          phase.end = performance.now();
        }
      });
    },
  };
}

interface Result {
  scenario: string;
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
  ideal: number;
  fraction: number;
  requests: number;
  retries: number;
  /** Per job, from claim to result (the first attempt's start to the end). */
  jobMs: { mean: number; p50: number; p95: number };
  /** Mean ms per succeeded job: runner start to API request, request to response headers, response to runner end, runner end to recorded. */
  phasesMs?: { before: number; api: number; after: number; record: number };
  /** Cores used on average by this process and by the server process. */
  workerCores: number;
  serverCores: number;
  /** CPU ms per job: this process's main thread, its other threads (the recipe's threads, sharp's), the server process. */
  cpuMsPerJob: { workerMain: number; workerThreads: number; server: number };
  eventLoopUtilization: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

async function run(
  name: string,
  dir: string,
  layout: string,
  server: Server,
  options: {
    latencyMs: number;
    concurrency: number;
    preparing: number;
    pollMs: number;
    backoffMs: number;
    faultRate: number;
    realRunners: boolean;
  },
): Promise<Result> {
  const db: Db = checkpointOnTimer(openDb(path.join(dir, name.replace(/\W+/g, '-'), 'loupe.db')));
  const { datasetId, imported } = await importGptEdit(db, layout);
  const config = openaiConfig({ OPENAI_API_KEY: 'bench', OPENAI_BASE_URL: server.url } as unknown as NodeJS.ProcessEnv);
  const { batchId } = await startBatch(db, config, { kind: 'regenerate', filter: { datasetId }, budgetUsd: 1e9, requestedBy: 'bench' });
  // The wait stands for an API call: it takes a call slot, as the real runner's does.
  const sleeper: JobRunner = async (job, signal, spend) => {
    await spend.paid(
      0,
      () => sleep(options.latencyMs),
      () => 0,
    );
    return { costUsd: 0, commit: () => ({}) };
  };
  const phases = new Map<number, Phases>();
  const recorded = new Map<number, number>();
  const runners: WorkerOptions['runners'] = options.realRunners ? timedRunners(db, config, phases) : { regenerate: sleeper };
  await server.control({ latencyMs: options.latencyMs, rate: { rate: options.faultRate, fault: { status: 429, retryAfterSeconds: 0 } } });
  const requestsBefore = await server.requests();

  let ended = 0;
  let retries = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const worker = new JobWorker(db, {
    concurrency: options.concurrency,
    preparing: options.preparing,
    maxAttempts: 20,
    runners,
    pollMs: options.pollMs,
    backoffBaseMs: options.backoffMs,
    onEvent: ({ job, type, message }) => {
      if (type === 'succeeded') recorded.set(job, performance.now());
      if (type === 'retry') retries++;
      else if (++ended === imported) done();
      if (type === 'failed' || type === 'discarded') log(`${type}: ${message}`);
    },
  });
  const serverCpu = cpuSeconds(server.child.pid!);
  const workerCpu = cpuSeconds(process.pid);
  const cpu = process.cpuUsage();
  const elu = performance.eventLoopUtilization();
  const started = performance.now();
  worker.start();
  await finished;
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const loop = performance.eventLoopUtilization(elu);
  const serverCpuAfter = cpuSeconds(server.child.pid!);
  const workerCpuAfter = cpuSeconds(process.pid);
  const serverCores = (serverCpuAfter.total - serverCpu.total) / seconds;
  const perJobMs = (cpuSecondsUsed: number) => (cpuSecondsUsed * 1000) / imported;
  await worker.stop();

  const durations = (
    db.$client
      .prepare(`SELECT finished_at - started_at FROM jobs WHERE batch_id = ? AND status = 'succeeded'`)
      .pluck()
      .all(batchId) as number[]
  ).sort((a, b) => a - b);
  const failed = db.$client.prepare(`SELECT count(*) FROM jobs WHERE batch_id = ? AND status != 'succeeded'`).pluck().get(batchId);
  if (failed) log(`${name}: ${failed} jobs did not succeed`);
  // Not closed: checkpointOnTimer's interval has no off switch and would then throw.
  const ideal = options.concurrency / (options.latencyMs / 1000);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const timed = [...phases.entries()].filter(([id, p]) => recorded.has(id) && p.fetchStart && p.fetchEnd && p.end);
  const phasesMs = timed.length
    ? {
        before: mean(timed.map(([, p]) => p.fetchStart! - p.start)),
        api: mean(timed.map(([, p]) => p.fetchEnd! - p.fetchStart!)),
        after: mean(timed.map(([, p]) => p.end! - p.fetchEnd!)),
        record: mean(timed.map(([id, p]) => recorded.get(id)! - p.end!)),
      }
    : undefined;
  const jobsPerSecond = imported / seconds;
  return {
    scenario: name,
    jobs: imported,
    seconds,
    jobsPerSecond,
    ideal,
    fraction: jobsPerSecond / ideal,
    requests: (await server.requests()) - requestsBefore,
    retries,
    phasesMs,
    jobMs: {
      mean: durations.reduce((a, b) => a + b, 0) / Math.max(1, durations.length),
      p50: percentile(durations, 0.5),
      p95: percentile(durations, 0.95),
    },
    workerCores: (used.user + used.system) / 1e6 / seconds,
    serverCores,
    cpuMsPerJob: {
      workerMain: perJobMs(workerCpuAfter.main - workerCpu.main),
      workerThreads: perJobMs(workerCpuAfter.total - workerCpu.total - (workerCpuAfter.main - workerCpu.main)),
      server: perJobMs(serverCpuAfter.total - serverCpu.total),
    },
    eventLoopUtilization: loop.utilization,
  };
}

async function main() {
  const latencyMs = number('latency-ms', 1);
  const concurrency = number('concurrency', 1);
  const preparing = number('preparing');
  const jobs = number('jobs', 1);
  const pollMs = number('poll-ms', 1);
  const faultRate = number('fault-rate');
  const backoffMs = number('backoff-ms');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-bench-regenerate-'));
  const layout = path.join(dir, 'gpt-edit');
  await writeLayout(layout, jobs);
  log(
    `${jobs} items in ${dir}; latency ${latencyMs} ms, concurrency ${concurrency} (+${preparing} preparing), poll ${pollMs} ms; load ${os.loadavg()[0].toFixed(2)}`,
  );
  const server = await startServerProcess();
  const results: Result[] = [];
  try {
    const common = { latencyMs, concurrency, preparing, pollMs, backoffMs };
    for (const [name, scenario] of [
      ['worker only (runner waits L)', { faultRate: 0, realRunners: false }],
      ['real runners', { faultRate: 0, realRunners: true }],
      [`real runners, ${Math.round(faultRate * 100)}% 429s`, { faultRate, realRunners: true }],
    ] as const) {
      log(`${name}...`);
      const result = await run(name, dir, layout, server, { ...common, ...scenario });
      log(`${name}: ${result.jobsPerSecond.toFixed(2)} jobs/s, fraction ${result.fraction.toFixed(3)}`);
      results.push(result);
    }
  } finally {
    server.child.disconnect();
    if (!args.keep) fs.rmSync(dir, { recursive: true, force: true });
  }

  const f = (n: number, digits = 2) => n.toFixed(digits);
  const perJob = (r: Result, cores: number) => f((cores * r.seconds * 1000) / r.jobs, 0);
  const lines = [
    `## Regeneration throughput (${jobs} jobs, latency ${latencyMs} ms, concurrency ${concurrency} (+${preparing} preparing), poll ${pollMs} ms, backoff base ${backoffMs} ms)`,
    '',
    `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; ideal = C / L = ${f(results[0].ideal)} jobs/s; goal >= ${GOAL}`,
    '',
    '| Scenario | Jobs/s | Fraction of ideal | Requests | Retries | Job ms mean / p50 / p95 | Before / API / after / record ms | Worker CPU (cores, ms/job) | Worker ms/job: main / other threads | Server CPU (cores, ms/job) | Event loop busy |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.scenario} | ${f(r.jobsPerSecond)} | **${f(r.fraction, 3)}** ${r.fraction >= GOAL ? '✅' : '❌'} | ${r.requests} | ${r.retries} | ` +
        `${f(r.jobMs.mean, 0)} / ${r.jobMs.p50} / ${r.jobMs.p95} | ` +
        `${
          r.phasesMs
            ? Object.values(r.phasesMs)
                .map((v) => f(v, 0))
                .join(' / ')
            : '–'
        } | ${f(r.workerCores)}, ${perJob(r, r.workerCores)} | ${f(r.cpuMsPerJob.workerMain, 0)} / ${f(r.cpuMsPerJob.workerThreads, 0)} | ` +
        `${f(r.serverCores)}, ${perJob(r, r.serverCores)} | ${f(r.eventLoopUtilization * 100, 0)}% |`,
    ),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  const outDir = path.join(BENCH_DIR, 'out');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `regenerate-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}.json`);
  const report = {
    date: new Date().toISOString(),
    options: { latencyMs, concurrency, preparing, jobs, pollMs, faultRate, backoffMs },
    cpus: os.cpus().length,
    load: os.loadavg(),
    results,
  };
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  log(`wrote ${path.relative(process.cwd(), file)}`);
}

if (args.serve) {
  // Child process: the local OpenAI-compatible server, controlled over its /__control endpoint.
  const server = await startLocalOpenAI();
  process.send!({ url: server.url });
  process.on('disconnect', () => void server.close().then(() => process.exit(0)));
} else if (args.help) {
  process.stdout.write(
    'Usage: npm run bench:regenerate -- [--latency-ms 500] [--concurrency 8] [--preparing cores] [--jobs 200] [--poll-ms 10] [--fault-rate 0.1] [--backoff-ms 2000] [--keep]\n',
  );
} else {
  await main();
}
