/**
 * The OpenAI Batch API path against the synchronous one:
 * `npm run bench:batch -- [--jobs N=2000] [--latency-ms L=100] [--concurrency C=8] [--batch-delay-ms D=5000]
 *   [--poll-ms P=500] [--kinds rewrite,judge] [--keep]`.
 *
 * One dataset of N small items (64x48 PNGs), and for each kind (instruction rewrite, VLM judge) two
 * Loupe batches over all of it against the local OpenAI-compatible server (lib/openai-local, in a
 * child process, as the real API is elsewhere):
 * - **sync**: `--via sync`, a JobWorker at concurrency C; the server answers each call after L ms;
 * - **batch**: `--via batch`, the batch driver (lib/jobs/batch-driver.ts): JSONL, upload, create,
 *   polls every P ms, downloads the output; the server keeps each OpenAI batch in progress at least
 *   D ms (its lines run through the same handlers as the sync calls, so their usage is the same).
 *
 * Reports per kind and path: the wall time from starting the Loupe batch to its last job ended, the
 * cost recorded (sum of the jobs' cost_usd, from each answer's usage), the requests the server saw,
 * and the ratios batch/sync for cost (goal 0.5, the Batch price) and for time. The time ratio depends
 * on L, C and D by construction: it says what the Batch path costs in waiting with the delay given,
 * not what the API's 24 h window will be. Markdown on stdout, JSON in bench/out/openai-batch-<date>.json.
 * The issue's size is `--jobs 10000`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { checkpointOnTimer, openDb, type Db } from '@/db';
import { batchProgress, startBatch } from '@/lib/batches/batch';
import type { BatchPath } from '@/lib/batches/via';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { BatchDriver } from '@/lib/jobs/batch-driver';
import type { BatchKind } from '@/lib/jobs/kinds';
import { JobWorker } from '@/lib/jobs/worker';
import { workerKinds } from '@/lib/jobs/worker-kinds';
import { startLocalOpenAI } from '@/lib/openai-local/server';
import { openaiClient } from '@/lib/openai/client';
import { openaiConfig } from '@/lib/openai/config';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));

const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string', default: '2000' },
    'latency-ms': { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '8' },
    'batch-delay-ms': { type: 'string', default: '5000' },
    'poll-ms': { type: 'string', default: '500' },
    kinds: { type: 'string', default: 'rewrite,judge' },
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

/** A small textured PNG (smooth noise), so PNG coding costs what a photo's would at its size. */
async function texturedPng(width: number, height: number, seed: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    data[i] = (i % 3) * 60 + ((seed >>> 16) % 80);
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .blur(1.2)
    .png()
    .toBuffer();
}

/** A GPT-Image-Edit layout of n records in omniedit/style (one input and one output PNG shared by all). */
async function writeLayout(root: string, n: number) {
  const task = path.join(root, 'omniedit', 'style');
  for (const sub of ['input', 'output', 'metadata']) fs.mkdirSync(path.join(task, sub), { recursive: true });
  const [input, output] = [await texturedPng(64, 48, 1), await texturedPng(64, 48, 2)];
  const records = [];
  for (let i = 0; i < n; i++) {
    const file = `${String(i).padStart(8, '0')}.png`;
    fs.writeFileSync(path.join(task, 'input', file), input);
    fs.writeFileSync(path.join(task, 'output', file), output);
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
  requests(): Promise<{ method: string; path: string }[]>;
}

async function startServerProcess(latencyMs: number, batchDelayMs: number): Promise<Server> {
  const child = fork(
    fileURLToPath(import.meta.url),
    ['--serve', '--latency-ms', String(latencyMs), '--batch-delay-ms', String(batchDelayMs)],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [...process.execArgv, '--max-old-space-size=4096'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`the local server exited (${code})`)));
  });
  const base = url.replace(/\/v1$/, '');
  return {
    url,
    child,
    requests: async () =>
      ((await (await fetch(`${base}/__control/requests`)).json()) as { requests: { method: string; path: string }[] }).requests,
  };
}

interface Result {
  kind: BatchKind;
  path: BatchPath;
  jobs: number;
  succeeded: number;
  seconds: number;
  costUsd: number;
  /** Requests the server saw during the run, by method and path (polls grouped). */
  requests: Record<string, number>;
  /** Batch path: OpenAI batches submitted and their input files' bytes. */
  submissions?: number;
  inputBytes?: number;
}

async function waitForEnd(db: Db, batchId: number) {
  for (;;) {
    const { counts } = batchProgress(db, batchId);
    if (counts.queued + counts.running === 0) return;
    await sleep(100);
  }
}

async function run(
  db: Db,
  datasetId: number,
  server: Server,
  kind: BatchKind,
  which: BatchPath,
  options: { concurrency: number; pollMs: number; dir: string },
): Promise<Result> {
  const config = openaiConfig({
    OPENAI_API_KEY: 'bench',
    OPENAI_BASE_URL: server.url,
    LOUPE_BATCH_POLL_MS: String(options.pollMs),
  } as unknown as NodeJS.ProcessEnv);
  const before = (await server.requests()).length;
  const started = performance.now();
  const { batchId, queued } = await startBatch(db, config, {
    kind,
    filter: { datasetId },
    budgetUsd: 1e9,
    requestedBy: 'bench',
    via: which,
  });
  let submissions: number | undefined;
  let inputBytes: number | undefined;
  if (which === 'sync') {
    const worker = new JobWorker(db, {
      concurrency: options.concurrency,
      maxAttempts: 3,
      runners: workerKinds(db, config, { only: [kind] }).runners,
      pollMs: 10,
    }).start();
    await waitForEnd(db, batchId);
    await worker.stop();
  } else {
    const client = openaiClient(config);
    const driver = new BatchDriver(db, config, () => client, {
      dir: options.dir,
      pollMs: options.pollMs,
      tickMs: Math.min(100, options.pollMs),
      onEvent: (event) => log(`  ${JSON.stringify(event)}`),
    }).start();
    await waitForEnd(db, batchId);
    await driver.stop();
    const row = db.$client
      .prepare('SELECT count(*) AS n, sum(input_bytes) AS bytes FROM openai_batches WHERE batch_id = ?')
      .get(batchId) as { n: number; bytes: number };
    submissions = row.n;
    inputBytes = row.bytes;
  }
  const seconds = (performance.now() - started) / 1000;
  const { costUsd, succeeded } = db.$client
    .prepare(
      `SELECT coalesce(sum(cost_usd), 0) AS costUsd, count(*) FILTER (WHERE status = 'succeeded') AS succeeded FROM jobs WHERE batch_id = ?`,
    )
    .get(batchId) as { costUsd: number; succeeded: number };
  const requests: Record<string, number> = {};
  for (const r of (await server.requests()).slice(before)) {
    const key = `${r.method} ${r.path.replace(/^(\/v1\/(?:batches|files))\/[^/]+/, '$1/:id')}`;
    requests[key] = (requests[key] ?? 0) + 1;
  }
  return { kind, path: which, jobs: queued, succeeded, seconds, costUsd, requests, submissions, inputBytes };
}

async function main() {
  const jobs = number('jobs', 1);
  const latencyMs = number('latency-ms');
  const concurrency = number('concurrency', 1);
  const batchDelayMs = number('batch-delay-ms');
  const pollMs = number('poll-ms', 10);
  const kinds = args.kinds!.split(',') as BatchKind[];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-bench-batch-'));
  const layout = path.join(dir, 'gpt-edit');
  log(`writing ${jobs} items in ${dir}...`);
  await writeLayout(layout, jobs);
  const db = checkpointOnTimer(openDb(path.join(dir, 'loupe.db')));
  const { datasetId, imported } = await importGptEdit(db, layout);
  log(`imported ${imported} items; latency ${latencyMs} ms, concurrency ${concurrency}, batch delay ${batchDelayMs} ms, poll ${pollMs} ms`);
  const server = await startServerProcess(latencyMs, batchDelayMs);
  const results: Result[] = [];
  try {
    for (const kind of kinds) {
      for (const which of ['sync', 'batch'] as const) {
        log(`${kind}, ${which}...`);
        const result = await run(db, datasetId, server, kind, which, { concurrency, pollMs, dir });
        log(
          `${kind}, ${which}: ${result.seconds.toFixed(1)} s, $${result.costUsd.toFixed(4)}, ${result.succeeded}/${result.jobs} succeeded`,
        );
        results.push(result);
      }
    }
  } finally {
    server.child.disconnect();
    if (!args.keep) fs.rmSync(dir, { recursive: true, force: true });
  }

  const f = (n: number, digits = 2) => n.toFixed(digits);
  const lines = [
    `## Batch API path vs synchronous (${jobs} jobs per kind and path; sync: latency ${latencyMs} ms, concurrency ${concurrency}; ` +
      `batch: delay ${batchDelayMs} ms, poll ${pollMs} ms)`,
    '',
    `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    '',
    '| Kind | Path | Jobs (succeeded) | Wall s | Jobs/s | Cost recorded | Cost batch/sync | Time batch/sync | Requests | OpenAI batches (input MB) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
    ...results.map((r) => {
      const sync = results.find((s) => s.kind === r.kind && s.path === 'sync')!;
      const ratio = (a: number, b: number) => (r.path === 'batch' && b > 0 ? f(a / b, 3) : '–');
      const requests = Object.entries(r.requests)
        .map(([key, n]) => `${key} ${n}`)
        .join(', ');
      return (
        `| ${r.kind} | ${r.path} | ${r.jobs} (${r.succeeded}) | ${f(r.seconds, 1)} | ${f(r.jobs / r.seconds, 1)} | $${f(r.costUsd, 4)} | ` +
        `${ratio(r.costUsd, sync.costUsd)} | ${ratio(r.seconds, sync.seconds)} | ${requests} | ` +
        `${r.submissions === undefined ? '–' : `${r.submissions} (${f(r.inputBytes! / 1024 / 1024, 1)})`} |`
      );
    }),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  const outDir = path.join(BENCH_DIR, 'out');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `openai-batch-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}.json`);
  const report = {
    date: new Date().toISOString(),
    options: { jobs, latencyMs, concurrency, batchDelayMs, pollMs, kinds },
    cpus: os.cpus().length,
    load: os.loadavg(),
    results,
  };
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  log(`wrote ${path.relative(process.cwd(), file)}`);
  // checkpointOnTimer's interval keeps the process alive.
  process.exit(0);
}

if (args.serve) {
  // Child process: the local OpenAI-compatible server.
  const server = await startLocalOpenAI({ latencyMs: number('latency-ms'), batchDelayMs: number('batch-delay-ms') });
  process.send!({ url: server.url });
  process.on('disconnect', () => void server.close().then(() => process.exit(0)));
} else if (args.help) {
  process.stdout.write(
    'Usage: npm run bench:batch -- [--jobs 2000] [--latency-ms 100] [--concurrency 8] [--batch-delay-ms 5000] [--poll-ms 500] [--kinds rewrite,judge] [--keep]\n',
  );
} else {
  await main();
}
