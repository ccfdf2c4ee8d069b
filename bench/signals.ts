/**
 * Pixel-signals benchmark:
 * `npm run bench:signals -- [--pairs N=300] [--size S=512] [--concurrency C] [--rounds R=2]
 *   [--step-pairs P=50] [--hashes H=1500000] [--db-hashes D=1500000] [--keep]`.
 *
 * 1. Throughput: N real PNG pairs (S x S, photo-like, five kinds of edit), measured with
 *    `measurePair` + `pairSignalRows` (what the signals job runs: on the signals worker threads,
 *    LOUPE_SIGNALS_THREADS, default one per core) against a bare sharp decode of the same two files
 *    (`sharp(file).raw().toBuffer()`), both C at a time, alternating R times; and the same measures
 *    on the calling thread (`SIGNAL_OPS.measure`, as before the pool), for comparison.
 * 1b. Steps: the CPU per pair of each step of the measure alone (bare decode, decodeRgb, lumaAt,
 *    ssim, changedFraction, phash, padding) and of the whole measure here and through the pool,
 *    one pair at a time over the first P pairs.
 * 2. The job path: the pairs imported into a fresh database, `queueSignals`, a signals-only
 *    `JobWorker` at concurrency C until done, then `groupNearDuplicates` (which must find the
 *    16 planted source groups).
 * 3. Grouping in memory: `groupHashes` on H random 64-bit hashes plus planted near-duplicate
 *    groups (members 1-3 bits from their centre: must all be found, nothing else merged) and
 *    pairs 4, 5 and 6 bits apart (recall of the banding).
 * 4. The dataset pass: a database of D items with a phash signal each (random, with planted
 *    groups), `groupNearDuplicates` end to end (read, group, write 2 x D rows).
 *
 * Markdown on stdout, JSON in bench/out/signals-<date>.json, progress on stderr.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import sharp, { type Sharp } from 'sharp';
import { checkpointOnTimer, openDb, type Db } from '@/db';
import { statement } from '@/db/statements';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { JobWorker } from '@/lib/jobs/worker';
import { seededRandom } from '@/lib/random';
import { groupHashes, groupNearDuplicates } from '@/lib/signals/groups';
import { measurePair, pairSignalRows, SIGNAL_OPS, signalsPool } from '@/lib/signals/measure';
import { paddingResidual } from '@/lib/signals/padding';
import { phash } from '@/lib/signals/phash';
import { compareSize, decodeRgb, lumaAt } from '@/lib/signals/pixels';
import { changedFraction, ssim } from '@/lib/signals/ssim';
import { claimJob } from '@/lib/jobs/jobs';
import { queueSignals, signalsJobCounts, signalsJobsLeft } from '@/lib/signals/queue';
import { paintRect, photoLikeRgb } from '@/lib/signals/synthetic';
import { workerKinds } from '@/lib/jobs/worker-kinds';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const BASES = 16;
const KINDS = ['local', 'global', 'padded', 'unchanged', 'replaced'] as const;

const { values: args } = parseArgs({
  options: {
    pairs: { type: 'string', default: '300' },
    size: { type: 'string', default: '512' },
    concurrency: { type: 'string', default: String(Math.max(2, os.availableParallelism() + 2)) },
    rounds: { type: 'string', default: '2' },
    hashes: { type: 'string', default: '1500000' },
    'db-hashes': { type: 'string', default: '1500000' },
    'step-pairs': { type: 'string', default: '50' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function number(name: keyof typeof args, min = 0): number {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}`);
  return value;
}

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const f = (n: number, digits = 1) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** Runs fn(i) for i < n, at most `concurrency` at once. */
async function pool(n: number, concurrency: number, fn: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, concurrency) }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

/** Wall time, process CPU (all threads: libvips too) and main-thread utilisation of a run. */
async function timed(fn: () => Promise<unknown>) {
  const cpu = process.cpuUsage();
  const elu = performance.eventLoopUtilization();
  const start = performance.now();
  await fn();
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6, mainThread: performance.eventLoopUtilization(elu).utilization };
}

// ---------------------------------------------------------------------------------------------
// 1-2. Real PNG pairs

interface Pair {
  kind: (typeof KINDS)[number];
  source: string;
  edit: string;
}

/**
 * A GPT-Image-Edit layout of n pairs in omniedit/style. Every source is one of 16 base pictures
 * with a small mark of its own (unique files, near-identical pHashes: 16 planted source groups);
 * the edit is, by turn: a painted rectangle, a global colour shift, the picture shrunk into white
 * padding, the same pixels re-encoded, or another picture.
 */
async function writePairs(root: string, n: number, size: number): Promise<Pair[]> {
  const task = path.join(root, 'omniedit', 'style');
  for (const sub of ['input', 'output', 'metadata']) fs.mkdirSync(path.join(task, sub), { recursive: true });
  const bases = Array.from({ length: BASES }, (_, b) => photoLikeRgb(size, size, 1000 + b));
  const raw = { raw: { width: size, height: size, channels: 3 as const } };
  const random = seededRandom(5);
  const pairs: Pair[] = [];
  const records: Record<string, unknown>[] = [];
  await pool(n, 4, async (i) => {
    const kind = KINDS[i % KINDS.length];
    const mark = Math.floor(i / BASES);
    const source = paintRect(bases[i % BASES], size, { left: (mark * 7) % (size - 6), top: size - 6, width: 6, height: 6 }, [
      mark % 256,
      255 - (mark % 256),
      128,
    ]);
    let edit: Sharp;
    if (kind === 'local') {
      const w = Math.round(size * (0.15 + 0.2 * random()));
      const h = Math.round(size * (0.15 + 0.2 * random()));
      edit = sharp(
        paintRect(
          source,
          size,
          { left: Math.floor(random() * (size - w)), top: Math.floor(random() * (size - h)), width: w, height: h },
          [240, 240, 240],
        ),
        raw,
      );
    } else if (kind === 'global') edit = sharp(source, raw).modulate({ hue: 90, saturation: 1.4 });
    else if (kind === 'padded') {
      const inner = Math.round(size * 0.85);
      const pad = Math.floor((size - inner) / 2);
      edit = sharp(await sharp(source, raw).resize(inner, inner).raw().toBuffer(), {
        raw: { width: inner, height: inner, channels: 3 },
      }).extend({
        top: pad,
        left: pad,
        bottom: size - inner - pad,
        right: size - inner - pad,
        background: { r: 255, g: 255, b: 255 },
      });
    } else if (kind === 'unchanged') edit = sharp(source, raw);
    else edit = sharp(bases[(i + 7) % BASES], raw);
    const file = `${String(i).padStart(8, '0')}.png`;
    pairs[i] = { kind, source: path.join(task, 'input', file), edit: path.join(task, 'output', file) };
    await sharp(source, raw).png().toFile(pairs[i].source);
    await edit.png({ compressionLevel: kind === 'unchanged' ? 9 : 6 }).toFile(pairs[i].edit);
    records[i] = {
      id: `omniedit_style_${i}`,
      dataset_source: 'omniedit',
      task: 'style',
      input: `input/${file}`,
      output: `output/${file}`,
      instruction: `Edit ${kind}.`,
      instruction_type: 'original',
    };
  });
  fs.writeFileSync(path.join(task, 'metadata', 'omniedit_style.json'), JSON.stringify(records));
  return pairs;
}

interface Timing {
  seconds: number;
  imagesPerSecond: number;
  cpuMsPerPair: number;
  mainThread: number;
}

interface ThroughputRound {
  decode: Timing;
  signals: Timing;
  ratio: number;
  /** The same measures on the calling thread (no pool), and its ratio to the decode. */
  inThread: Timing;
  inThreadRatio: number;
}

async function throughput(pairs: Pair[], concurrency: number, rounds: number) {
  const n = pairs.length;
  const byKind = new Map<string, { ssim: number; changed: number; padding: number; distance: number; n: number }>();
  const results: ThroughputRound[] = [];
  // Warm-up (JIT, libvips, page cache), not counted.
  await pool(Math.min(n, 20), concurrency, (i) => measurePair(pairs[i].source, pairs[i].edit));
  await pool(Math.min(n, 20), concurrency, (i) => SIGNAL_OPS.measure(pairs[i].source, pairs[i].edit));
  for (let round = 0; round < rounds; round++) {
    const decode = await timed(() =>
      pool(n, concurrency, (i) => Promise.all([sharp(pairs[i].source).raw().toBuffer(), sharp(pairs[i].edit).raw().toBuffer()])),
    );
    const signals = await timed(() =>
      pool(n, concurrency, async (i) => {
        const measured = await measurePair(pairs[i].source, pairs[i].edit);
        pairSignalRows(measured);
        if (round === 0) {
          const s = byKind.get(pairs[i].kind) ?? { ssim: 0, changed: 0, padding: 0, distance: 0, n: 0 };
          s.ssim += measured.ssim;
          s.changed += measured.changedFraction;
          s.padding += measured.padding.fraction;
          s.distance += measured.phash.distance;
          s.n++;
          byKind.set(pairs[i].kind, s);
        }
      }),
    );
    const inThread = await timed(() =>
      pool(n, concurrency, async (i) => pairSignalRows(await SIGNAL_OPS.measure(pairs[i].source, pairs[i].edit))),
    );
    const describe = (t: Awaited<ReturnType<typeof timed>>) => ({
      seconds: t.seconds,
      imagesPerSecond: (2 * n) / t.seconds,
      cpuMsPerPair: (1000 * t.cpuSeconds) / n,
      mainThread: t.mainThread,
    });
    results.push({
      decode: describe(decode),
      signals: describe(signals),
      ratio: decode.seconds / signals.seconds,
      inThread: describe(inThread),
      inThreadRatio: decode.seconds / inThread.seconds,
    });
    log(
      `round ${round + 1}: decode ${f((2 * n) / decode.seconds)} images/s, signals ${f((2 * n) / signals.seconds)} images/s, ratio ${f(decode.seconds / signals.seconds, 2)}; ` +
        `on the calling thread ${f((2 * n) / inThread.seconds)} images/s, ratio ${f(decode.seconds / inThread.seconds, 2)}`,
    );
  }
  const kinds = [...byKind].map(([kind, s]) => ({
    kind,
    n: s.n,
    ssim: s.ssim / s.n,
    changed: s.changed / s.n,
    padding: s.padding / s.n,
    distance: s.distance / s.n,
  }));
  return { results, kinds };
}

/** CPU (the whole process: libvips and worker threads too) per pair of each step, one pair at a time. */
interface Step {
  step: string;
  cpuMsPerPair: number;
}

/**
 * Where a pair's time goes: each step of measurePairHere alone over the first `n` pairs, one at a
 * time on this thread (inputs prepared beforehand, so a step's figure is its own), 3 times over;
 * then the whole measure on this thread and through the pool, against the bare decode.
 */
async function steps(pairs: Pair[], n: number): Promise<Step[]> {
  const sample = pairs.slice(0, n);
  const decoded = await Promise.all(sample.map(async (p) => ({ source: await decodeRgb(p.source), edit: await decodeRgb(p.edit) })));
  const lumas = decoded.map(({ source, edit }) => {
    const size = compareSize(source.width, source.height);
    return { source: lumaAt(source, size), edit: lumaAt(edit, size) };
  });
  const cpu = async (step: string, fn: (i: number) => unknown): Promise<Step> => {
    for (let i = 0; i < Math.min(5, n); i++) await fn(i); // warm-up
    const start = process.cpuUsage();
    for (let round = 0; round < 3; round++) for (let i = 0; i < n; i++) await fn(i);
    const used = process.cpuUsage(start);
    return { step, cpuMsPerPair: (used.user + used.system) / 1000 / (3 * n) };
  };
  const size = (i: number) => ({ width: lumas[i].source.width, height: lumas[i].source.height });
  return [
    await cpu('bare decode of both (sharp(file).raw().toBuffer())', (i) =>
      Promise.all([sharp(sample[i].source).raw().toBuffer(), sharp(sample[i].edit).raw().toBuffer()]),
    ),
    await cpu('decodeRgb of both (flatten, sRGB, orientation)', (i) =>
      Promise.all([decodeRgb(sample[i].source), decodeRgb(sample[i].edit)]),
    ),
    await cpu('lumaAt of both (128 px luma, one pass each)', (i) => {
      lumaAt(decoded[i].source, size(i));
      lumaAt(decoded[i].edit, size(i));
    }),
    await cpu('ssim', (i) => ssim(lumas[i].source, lumas[i].edit)),
    await cpu('changedFraction', (i) => changedFraction(lumas[i].source, lumas[i].edit)),
    await cpu('phash of both', (i) => [phash(lumas[i].source), phash(lumas[i].edit)]),
    await cpu('paddingResidual of the edit', (i) => paddingResidual(decoded[i].edit)),
    await cpu('measure + pairSignalRows on this thread', async (i) =>
      pairSignalRows(await SIGNAL_OPS.measure(sample[i].source, sample[i].edit)),
    ),
    await cpu('measurePair + pairSignalRows through the pool', async (i) =>
      pairSignalRows(await measurePair(sample[i].source, sample[i].edit)),
    ),
  ];
}

async function jobPath(dir: string, layout: string, n: number, concurrency: number) {
  const db: Db = checkpointOnTimer(openDb(path.join(dir, 'jobs', 'loupe.db')));
  const { datasetId } = await importGptEdit(db, layout);
  let t = performance.now();
  const queued = await queueSignals(db, { datasetId }, { requestedBy: 'bench' });
  const queueMs = performance.now() - t;
  const { runners, claim } = workerKinds(db, undefined, { only: ['signals'] });
  const worker = new JobWorker(db, { concurrency, maxAttempts: 1, runners, claim, pollMs: 10 });
  const run = await timed(async () => {
    worker.start();
    for (;;) {
      const counts = signalsJobCounts(db, queued.firstJobId!, queued.lastJobId!);
      if (counts.queued + counts.running === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  await worker.stop();
  const counts = signalsJobCounts(db, queued.firstJobId!, queued.lastJobId!);
  t = performance.now();
  const groups = await groupNearDuplicates(db, datasetId);
  const groupMs = performance.now() - t;
  db.$client.close();
  return {
    items: queued.queued,
    queueMs,
    ...counts,
    seconds: run.seconds,
    imagesPerSecond: (2 * n) / run.seconds,
    mainThread: run.mainThread,
    groupMs,
    groups,
  };
}

// ---------------------------------------------------------------------------------------------
// 3-4. Grouping

const u32 = (random: () => number) => Math.floor(random() * 2 ** 32) >>> 0;

function flip(words: Uint32Array, from: number, to: number, bits: number, random: () => number) {
  let lo = words[2 * from];
  let hi = words[2 * from + 1];
  const chosen = new Set<number>();
  while (chosen.size < bits) chosen.add(Math.floor(random() * 64));
  for (const bit of chosen) {
    if (bit < 32) lo = (lo ^ (1 << bit)) >>> 0;
    else hi = (hi ^ (1 << (bit - 32))) >>> 0;
  }
  words[2 * to] = lo;
  words[2 * to + 1] = hi;
}

interface Planted {
  hashes: BigUint64Array;
  /** Planted groups (indices), members 1-3 bits from the centre. */
  groups: number[][];
  /** Planted pairs by distance (4, 5, 6), for recall. */
  pairs: Map<number, [number, number][]>;
}

/** n hashes: random, with planted groups and pairs in place of some of them (at distinct random places). */
function plantedHashes(n: number, seed: number, groupCount = 10_000, pairsPerDistance = 10_000): Planted {
  const random = seededRandom(seed);
  const hashes = new BigUint64Array(n);
  const words = new Uint32Array(hashes.buffer);
  for (let i = 0; i < 2 * n; i++) words[i] = u32(random);
  // A partial Fisher-Yates shuffle: every index drawn once.
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let drawn = 0;
  const draw = () => {
    if (drawn >= n) throw new Error('too few hashes for the planted groups');
    const j = drawn + Math.floor(random() * (n - drawn));
    [order[drawn], order[j]] = [order[j], order[drawn]];
    return order[drawn++];
  };
  const groups: number[][] = [];
  // At most a quarter of the hashes go to groups and another quarter to pairs; the rest stay random.
  for (let g = 0; g < groupCount && drawn + 5 <= n / 4; g++) {
    const centre = draw();
    const members = [centre];
    for (let m = 1 + Math.floor(random() * 4); m > 0; m--) {
      const member = draw();
      flip(words, centre, member, 1 + Math.floor(random() * 3), random);
      members.push(member);
    }
    groups.push(members);
  }
  const pairs = new Map<number, [number, number][]>();
  for (const distance of [4, 5, 6]) {
    const list: [number, number][] = [];
    for (let p = 0; p < pairsPerDistance && drawn + 2 <= n / 2; p++) {
      const a = draw();
      const b = draw();
      flip(words, a, b, distance, random);
      list.push([a, b]);
    }
    pairs.set(distance, list);
  }
  return { hashes, groups, pairs };
}

function checkPlanted(root: Uint32Array, planted: Planted) {
  let found = 0;
  let merged = 0;
  const plantedRoots = new Set<number>();
  for (const group of planted.groups) {
    if (group.every((i) => root[i] === root[group[0]])) found++;
    plantedRoots.add(root[group[0]]);
  }
  // A planted group's root shared with anything outside it: a merge.
  const sizes = new Map<number, number>();
  for (let i = 0; i < root.length; i++) sizes.set(root[i], (sizes.get(root[i]) ?? 0) + 1);
  for (const group of planted.groups) if (sizes.get(root[group[0]]) !== group.length) merged++;
  const recall = Object.fromEntries(
    [...planted.pairs].map(([d, list]) => [d, list.length ? list.filter(([a, b]) => root[a] === root[b]).length / list.length : null]),
  );
  for (const list of planted.pairs.values()) for (const [a] of list) plantedRoots.add(root[a]);
  // Groups of hashes that were not planted together: random hashes 6 bits apart by chance (rare: ~5 pairs in 1.5M).
  const otherGroups = [...sizes].filter(([r, size]) => size > 1 && !plantedRoots.has(r)).length;
  return { planted: planted.groups.length, found, merged, recall, otherGroups };
}

function inMemory(n: number) {
  const planted = plantedHashes(n, 77);
  const rss = process.memoryUsage().rss;
  const start = performance.now();
  const grouping = groupHashes(planted.hashes, { maxDistance: 6 });
  const ms = performance.now() - start;
  return {
    hashes: n,
    ms,
    comparisons: grouping.comparisons,
    truncatedBuckets: grouping.truncatedBuckets,
    rssMiB: (process.memoryUsage().rss - rss) / 2 ** 20,
    check: checkPlanted(grouping.root, planted),
  };
}

/** A database of n items, each with a current candidate and a phash signal (sources and edits planted alike). */
function buildHashDb(file: string, n: number) {
  const db = openDb(file);
  const sql = db.$client;
  const source = plantedHashes(n, 91);
  const edit = plantedHashes(n, 92);
  const hex = (h: BigUint64Array, i: number) => h[i].toString(16).padStart(16, '0');
  sql.exec(`INSERT INTO datasets (id, name) VALUES (1, 'hashes'); INSERT INTO image_roots (id, path) VALUES (1, '/nonexistent')`);
  const tasks = 17;
  // Items and candidates in one statement each (ids 1..n), as bench/load-db.ts does.
  sql.exec(`WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${n})
    INSERT INTO items (id, dataset_id, external_id, family, task, instruction_type, source_root_id, source_path, source_width, source_height,
                       metadata, current_instruction_id, current_candidate_id)
    SELECT n, 1, 'h' || n, 'omniedit', 'task' || (n % ${tasks}), 'original', 1, 'in/' || n || '.png', 512, 512, '{}', n, n FROM s`);
  sql.exec(
    `INSERT INTO candidates (id, item_id, origin, root_id, path, width, height) SELECT id, id, 'dataset', 1, 'out/' || id || '.png', 512, 512 FROM items`,
  );
  const insert = sql.prepare(
    `INSERT INTO signals (candidate_id, item_id, dataset_id, name, value, detail) VALUES (?, ?, 1, 'phash', NULL, ?)`,
  );
  sql.transaction(() => {
    for (let i = 0; i < n; i++)
      insert.run(i + 1, i + 1, JSON.stringify({ source: hex(source.hashes, i), edit: hex(edit.hashes, i), distance: 0 }));
  })();
  return { db, source, edit };
}

async function dbPass(dir: string, n: number) {
  const file = path.join(dir, 'hashes', 'loupe.db');
  let t = performance.now();
  const { db, source } = buildHashDb(file, n);
  const buildSeconds = (performance.now() - t) / 1000;
  log(`hash database: ${int(n)} items built in ${f(buildSeconds)} s`);
  checkpointOnTimer(db);
  const phases: Record<string, number> = {};
  let phase = '';
  let phaseStart = performance.now();
  t = performance.now();
  const summary = await groupNearDuplicates(db, 1, {
    onProgress: (name) => {
      if (name === phase) return;
      if (phase) phases[phase] = (phases[phase] ?? 0) + performance.now() - phaseStart;
      phase = name;
      phaseStart = performance.now();
    },
  });
  phases[phase] = (phases[phase] ?? 0) + performance.now() - phaseStart;
  const seconds = (performance.now() - t) / 1000;
  // The planted source groups, read back from the rows written (item i + 1 is hash i).
  const values = new Uint32Array(n);
  for (const [itemId, value] of statement<[], [number, number]>(
    db,
    `SELECT item_id, value FROM signals WHERE dataset_id = 1 AND name = 'dup_source'`,
  )
    .raw()
    .iterate()) {
    values[itemId - 1] = value;
  }
  const groupsOk = source.groups.filter((g) => g.every((i) => values[i] === g.length)).length;

  // Queueing a whole dataset of this size (what POST /api/signals does), and claiming from that queue.
  t = performance.now();
  const queued = await queueSignals(db, { datasetId: 1 }, { requestedBy: 'bench' });
  const queueSeconds = (performance.now() - t) / 1000;
  const claims: number[] = [];
  for (let i = 0; i < 20; i++) {
    const c = performance.now();
    claimJob(db, 'bench', 30_000, Date.now(), ['signals']); // as a signals-only worker claims
    claims.push(performance.now() - c);
  }
  t = performance.now();
  const left = signalsJobsLeft(db, queued.firstJobId!, queued.lastJobId!);
  const countMs = performance.now() - t;
  log(
    `queued ${int(queued.queued)} in ${f(queueSeconds)} s; claim ${f(Math.max(...claims), 2)} ms max; ${int(left)} left counted in ${f(countMs, 0)} ms`,
  );
  db.$client.close();
  return {
    queue: {
      jobs: queued.queued,
      seconds: queueSeconds,
      claimMsMax: Math.max(...claims),
      claimMsMedian: claims.sort((a, b) => a - b)[10],
      countLeftMs: countMs,
    },
    hashes: n,
    buildSeconds,
    seconds,
    phasesMs: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v)])),
    summary,
    plantedSourceGroups: source.groups.length,
    plantedSourceGroupsWritten: groupsOk,
  };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (args.help) {
    process.stdout.write(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0] + '*/\n');
    return;
  }
  const n = number('pairs', 1);
  const size = number('size', 16);
  const concurrency = number('concurrency', 1);
  const rounds = number('rounds', 1);
  const stepPairs = Math.min(n, number('step-pairs', 1));
  const hashes = number('hashes');
  const dbHashes = number('db-hashes');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-bench-signals-'));
  const load = os.loadavg();
  try {
    log(`${n} pairs of ${size}x${size} in ${dir}; concurrency ${concurrency}; load ${load[0].toFixed(2)}`);
    const t = performance.now();
    const layout = path.join(dir, 'gpt-edit');
    const pairs = await writePairs(layout, n, size);
    const generateSeconds = (performance.now() - t) / 1000;
    const bytes = pairs.reduce((sum, p) => sum + fs.statSync(p.source).size + fs.statSync(p.edit).size, 0);
    log(`generated in ${f(generateSeconds)} s (${f(bytes / 2 ** 20)} MiB)`);

    const speed = await throughput(pairs, concurrency, rounds);
    log('steps, one pair at a time');
    const profile = await steps(pairs, stepPairs);
    log('job path');
    const jobs = await jobPath(dir, layout, n, concurrency);
    log(`jobs: ${f(jobs.imagesPerSecond)} images/s; grouping ${f(jobs.groupMs, 0)} ms`);
    const memory = hashes ? inMemory(hashes) : undefined;
    if (memory) log(`groupHashes on ${int(hashes)}: ${f(memory.ms, 0)} ms`);
    const pass = dbHashes ? await dbPass(dir, dbHashes) : undefined;
    if (pass) log(`groupNearDuplicates on ${int(dbHashes)}: ${f(pass.seconds)} s`);

    const sum = (pick: (r: ThroughputRound) => number) => speed.results.reduce((s, r) => s + pick(r), 0);
    const overall = sum((r) => r.decode.seconds) / sum((r) => r.signals.seconds);
    const overallInThread = sum((r) => r.decode.seconds) / sum((r) => r.inThread.seconds);
    const lines = [
      `## Pixel signals (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
      '',
      `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), load ${load.map((l) => l.toFixed(2)).join(' ')} at start; ` +
        `${n} pairs of ${size}x${size} PNGs (${f(bytes / 2 ** 20)} MiB), concurrency ${concurrency}, sharp concurrency ${sharp.concurrency()}, libuv pool ${process.env.UV_THREADPOOL_SIZE ?? 4}, ` +
        `signals threads ${signalsPool().size}`,
      '',
      '| Round | Decode only: images/s | CPU ms/pair | main thread | Signals: images/s | CPU ms/pair | main thread | Ratio signals / decode | On the calling thread: images/s | main thread | Ratio |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...speed.results.map(
        (r, i) =>
          `| ${i + 1} | ${f(r.decode.imagesPerSecond)} | ${f(r.decode.cpuMsPerPair)} | ${f(100 * r.decode.mainThread, 0)}% | ${f(r.signals.imagesPerSecond)} | ${f(r.signals.cpuMsPerPair)} | ${f(100 * r.signals.mainThread, 0)}% | **${f(r.ratio, 2)}** | ` +
          `${f(r.inThread.imagesPerSecond)} | ${f(100 * r.inThread.mainThread, 0)}% | ${f(r.inThreadRatio, 2)} |`,
      ),
      '',
      `Overall ratio (total decode time / total signals time): **${f(overall, 2)}**; on the calling thread: ${f(overallInThread, 2)}.`,
      '',
      `Where a pair's CPU goes (each step alone, one pair at a time on this thread, ${stepPairs} pairs x 3):`,
      '',
      '| Step | CPU ms/pair |',
      '| --- | ---: |',
      ...profile.map((p) => `| ${p.step} | ${f(p.cpuMsPerPair, 2)} |`),
      '',
      '| Edit kind | Pairs | mean SSIM | mean changed | mean padding | mean pHash distance |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...speed.kinds.map((k) => `| ${k.kind} | ${k.n} | ${f(k.ssim, 3)} | ${f(k.changed, 3)} | ${f(k.padding, 3)} | ${f(k.distance)} |`),
      '',
      `Job path: queueSignals ${f(jobs.queueMs, 0)} ms for ${jobs.items} items; JobWorker (signals only, concurrency ${concurrency}) ` +
        `${jobs.succeeded} succeeded, ${jobs.failed} failed in ${f(jobs.seconds, 2)} s = **${f(jobs.imagesPerSecond)} images/s** ` +
        `(main thread ${f(100 * jobs.mainThread, 0)}%); groupNearDuplicates ${f(jobs.groupMs, 0)} ms: ${jobs.groups.source.groups} source groups ` +
        `(planted ${Math.min(BASES, Math.max(0, n - BASES))}; ${jobs.groups.source.duplicates} members), ${jobs.groups.edit.groups} edit groups.`,
    ];
    if (memory) {
      const c = memory.check;
      lines.push(
        '',
        `groupHashes, ${int(memory.hashes)} hashes in memory: **${f(memory.ms, 0)} ms**, ${int(memory.comparisons)} comparisons, ` +
          `${memory.truncatedBuckets} truncated buckets; planted groups found ${int(c.found)} / ${int(c.planted)}, merged with others ${c.merged}, ` +
          `other groups ${c.otherGroups}; recall of planted pairs at distance 4 / 5 / 6: ${[4, 5, 6].map((d) => (c.recall[d] === null ? '–' : f(100 * c.recall[d]!, 1) + '%')).join(' / ')}.`,
      );
    }
    if (pass) {
      lines.push(
        '',
        `groupNearDuplicates, ${int(pass.hashes)} items in a database (built in ${f(pass.buildSeconds)} s, not counted): **${f(pass.seconds)} s** ` +
          `(${Object.entries(pass.phasesMs)
            .map(([k, v]) => `${k} ${f(v / 1000)} s`)
            .join(', ')}); ` +
          `source groups ${int(pass.summary.source.groups)} (planted ${int(pass.plantedSourceGroups)}, all written with their exact size: ${int(pass.plantedSourceGroupsWritten)}; ` +
          `the rest are the planted pairs 4-6 bits apart that banding found).`,
        '',
        `On that database: queueSignals of all ${int(pass.queue.jobs)} items **${f(pass.queue.seconds)} s**; a signals-only claim with them queued ` +
          `${f(pass.queue.claimMsMedian, 2)} ms median, ${f(pass.queue.claimMsMax, 2)} ms max; signalsJobsLeft over the range ${f(pass.queue.countLeftMs, 0)} ms.`,
      );
    }
    const report = lines.join('\n');
    process.stdout.write(report + '\n');
    const out = path.join(BENCH_DIR, 'out');
    fs.mkdirSync(out, { recursive: true });
    const file = path.join(out, `signals-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}.json`);
    fs.writeFileSync(
      file,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          options: { n, size, concurrency, rounds, hashes, dbHashes },
          load,
          speed,
          profile,
          jobs,
          memory,
          pass,
        },
        null,
        2,
      ) + '\n',
    );
    log(`report: ${file}`);
  } finally {
    if (args.keep) log(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
