/**
 * Import benchmark: `npm run bench:import -- [--records N] [--keep] [--dir DIR] [--iterations K] [--budget S]`.
 *
 * 1. Generates a GPT-Image-Edit-1.5M layout of N records (metadata JSON arrays, real PNG
 *    files hard-linked under every record's input/ and output/ path) and the same records
 *    as CSV. Generation is timed on its own and never counts in the import figures.
 * 2. Imports it with Loupe's importer (the CLI's code path) into a fresh database: records/s.
 * 3. Imports the CSV with the sqlite3 CLI (`.import` into a plain table, no indexes): rows/s,
 *    and the ratio Loupe / CLI.
 * 2b. Imports it again into fresh databases, alternating: with the old header-only probe
 *    (bench/probe-header.ts, passed as the importer's probe), then with the checks again, so
 *    the checked runs come before and after the baseline (A-B-A: a warmer cache favours no
 *    side); and probes a sample of images both ways on this thread: what realpath + structure
 *    + pixel checks cost, as ratios in the same run.
 * 4. With the N items in Loupe's database: latency of claiming the next queue item, of
 *    recording a verdict and of queue progress, plus EXPLAIN QUERY PLAN of those queries.
 * 5. Prints a markdown report on stdout, writes it as JSON to bench/out/import-<date>.json.
 *
 * Progress goes to stderr. The generated folder is removed at the end unless --keep.
 * See bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { checkpointOnTimer, openDb, type Db } from '@/db';
import { importGptEdit, type ImportSummary } from '@/lib/import/import-gpt-edit';
import { FolderCache } from '@/lib/images/open';
import { probeOrReason } from '@/lib/images/probe';
import type { ProbeKind } from '@/lib/images/prober';
import { claimItems, queueProgress, type Claimant } from '@/lib/review/queue';
import { recordVerdict, type VerdictInput } from '@/lib/review/verdicts';
import type { ItemFilter } from '@/lib/filter/filter';
import { seededRandom as rng } from '../lib/random';
import { HEADER_ONLY_PROBE, probeHeaderOnly } from './probe-header';
import { recordStatements } from './query-plans';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const OUT_DIR = path.join(BENCH_DIR, 'out');
const SQLITE_CLI = '/usr/bin/sqlite3';

const DEFAULT_RECORDS = 1_500_000;
/** The released dataset keeps up to ~300k records in one metadata file. */
const MAX_RECORDS_PER_FILE = 300_000;
/** ext4 allows 65,000 links to one inode: start a fresh copy of an image before that. */
const LINKS_PER_INODE = 60_000;
const GOAL_RATIO = 0.5;
const GOAL_P99_MS = 5;

// ---------------------------------------------------------------------------------------
// Command line

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: String(DEFAULT_RECORDS) },
    keep: { type: 'boolean', default: false },
    dir: { type: 'string' },
    iterations: { type: 'string', default: '2000' },
    budget: { type: 'string', default: '60' },
    'skip-image-baseline': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  process.stdout.write(
    'Usage: npm run bench:import -- [--records N] [--keep] [--dir DIR] [--iterations K] [--budget S]\n' +
      `  --records N     records to generate and import (default ${DEFAULT_RECORDS.toLocaleString('en-US')})\n` +
      '  --keep          keep the generated dataset, CSV and databases\n' +
      '  --dir DIR       where to generate (default: a new folder under the OS temp folder)\n' +
      '  --iterations K  iterations per latency measurement (default 2000)\n' +
      '  --budget S      stop a latency measurement early after S seconds (default 60)\n' +
      '  --skip-image-baseline  do not import a second time with the old header-only image probe\n',
  );
  process.exit(0);
}
const N = parseCount(args.records!, '--records');
const ITERATIONS = parseCount(args.iterations!, '--iterations');
const BUDGET_MS = parseCount(args.budget!, '--budget') * 1000;

function parseCount(text: string, name: string): number {
  const n = Number(text.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer (got ${text})`);
  return n;
}

// ---------------------------------------------------------------------------------------
// Small helpers

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

function timeSync<T>(fn: () => T): { value: T; seconds: number } {
  const start = performance.now();
  const value = fn();
  return { value, seconds: (performance.now() - start) / 1000 };
}

/** Buffers text and writes it in large blocks (one fs call per few MB). */
class BlockWriter {
  private parts: string[] = [];
  private size = 0;
  bytes = 0;
  private readonly fd: number;

  constructor(file: string) {
    this.fd = fs.openSync(file, 'w');
  }

  write(text: string) {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 4 << 20) this.flush();
  }

  private flush() {
    if (!this.parts.length) return;
    const buffer = Buffer.from(this.parts.join(''), 'utf8');
    for (let done = 0; done < buffer.length;) done += fs.writeSync(this.fd, buffer, done);
    this.bytes += buffer.length;
    this.parts = [];
    this.size = 0;
  }

  close() {
    this.flush();
    fs.closeSync(this.fd);
  }
}

// ---------------------------------------------------------------------------------------
// The generated layout

/** Families and tasks of the released layout with their approximate share of the records. */
const TASKS: { family: string; task: string; share: number }[] = [
  { family: 'hqedit', task: 'edit', share: 8 },
  { family: 'hqedit', task: 'generate', share: 4 },
  { family: 'omniedit', task: 'addition', share: 10 },
  { family: 'omniedit', task: 'removal', share: 10 },
  { family: 'omniedit', task: 'replacement', share: 12 },
  { family: 'omniedit', task: 'swap', share: 8 },
  { family: 'omniedit', task: 'attribute_modification', share: 10 },
  { family: 'omniedit', task: 'env', share: 8 },
  { family: 'omniedit', task: 'style', share: 10 },
  { family: 'omniedit', task: 'complex-edit', share: 6 },
  { family: 'ultraedit', task: 'add', share: 3 },
  { family: 'ultraedit', task: 'change_color', share: 2.5 },
  { family: 'ultraedit', task: 'change_global', share: 3 },
  { family: 'ultraedit', task: 'change_local', share: 2.5 },
  { family: 'ultraedit', task: 'replace', share: 2 },
  { family: 'ultraedit', task: 'transform_global', share: 1.5 },
  { family: 'ultraedit', task: 'transform_local', share: 1 },
];

interface TaskPlan {
  family: string;
  task: string;
  dir: string;
  /** Index of this task's first record among all N records. */
  first: number;
  count: number;
}

function planTasks(root: string, n: number): TaskPlan[] {
  const total = TASKS.reduce((sum, t) => sum + t.share, 0);
  const plans: TaskPlan[] = [];
  let first = 0;
  TASKS.forEach((t, i) => {
    const count = i === TASKS.length - 1 ? n - first : Math.floor((n * t.share) / total);
    plans.push({ family: t.family, task: t.task, dir: path.join(root, t.family, t.task), first, count });
    first += count;
  });
  return plans.filter((p) => p.count > 0);
}

const OBJECTS = [
  'red umbrella',
  'wooden bench',
  'small brown dog',
  'paper lantern',
  'bicycle',
  'potted fern',
  'street lamp',
  'coffee cup',
  'straw hat',
  'vintage car',
  'stack of books',
  'sailboat',
  'hot-air balloon',
  'snowman',
  'neon sign',
  'flock of birds',
  'wind turbine',
  'glass vase with tulips',
  'pair of sunglasses',
  'rainbow',
];
const PLACES = [
  'on the left',
  'in the foreground',
  'next to the door',
  'on the table',
  'in the sky',
  'behind the person',
  'in the bottom right corner',
  'on the windowsill',
  'near the horizon',
];
const COLORS = ['crimson', 'teal', 'golden yellow', 'pastel pink', 'deep blue', 'emerald green', 'matte black', 'ivory'];
const STYLES = [
  'a watercolor painting',
  'Van Gogh\'s "Starry Night"',
  'pixel art',
  'a charcoal sketch',
  'an ukiyo-e woodblock print',
  'a 1980s anime still',
  'an oil painting',
  'pop art',
  'a pencil drawing',
];
const ENVS = [
  'a snowy winter evening',
  'a rainy street at night',
  'golden-hour sunlight',
  'a foggy morning',
  'a sunny beach',
  'a thunderstorm',
];
const SUBJECTS = [
  'a woman in a red coat',
  'an old stone bridge',
  'a tabby cat',
  'a busy café terrace',
  'a mountain lake',
  'a kitchen counter',
  'a city skyline',
  'a child playing football',
  'a vintage living room',
  'a market stall with fruit',
];
const SETTINGS = [
  'under a cloudy sky',
  'in warm afternoon light',
  'photographed from a low angle',
  'with a blurred background',
  'surrounded by tall trees',
  'at dusk',
  'in a narrow street',
];
const KEEP = [
  'Keep everything else in the image unchanged.',
  'Preserve the lighting, the composition and the identity of any people.',
  'Make the change look natural and consistent with the scene.',
  'Do not alter the background or the framing.',
];

type PickFn = <T>(list: readonly T[]) => T;

/** A short instruction in the style of the task (the "original" instruction). */
function shortInstruction(task: string, pick: PickFn): string {
  switch (task) {
    case 'addition':
    case 'add':
      return `Add a ${pick(OBJECTS)} ${pick(PLACES)}.`;
    case 'removal':
      return `Remove the ${pick(OBJECTS)} ${pick(PLACES)}.`;
    case 'replacement':
    case 'replace':
    case 'swap':
      return `Replace the ${pick(OBJECTS)} with a ${pick(OBJECTS)}.`;
    case 'attribute_modification':
    case 'change_color':
    case 'change_local':
      return `Make the ${pick(OBJECTS)} ${pick(COLORS)}.`;
    case 'env':
    case 'change_global':
      return `Change the scene to ${pick(ENVS)}.`;
    case 'style':
    case 'transform_global':
      return `Turn the picture into ${pick(STYLES)}.`;
    case 'transform_local':
      return `Make the ${pick(OBJECTS)} twice as large.`;
    case 'generate':
      return `Show ${pick(SUBJECTS)} ${pick(SETTINGS)}, as ${pick(STYLES)}.`;
    default:
      return `Change the ${pick(OBJECTS)} ${pick(PLACES)} to ${pick(COLORS)}.`;
  }
}

interface GeneratedRecord {
  id: string;
  dataset_source: string;
  task: string;
  input: string;
  output: string;
  instruction: string;
  instruction_type: 'original' | 'rewrite' | 'complex';
  input_description: string;
  instruction_original?: string;
}

/** Share of rewritten instructions (with instruction_original) per family. */
const REWRITE_SHARE: Record<string, number> = { omniedit: 0.35, hqedit: 0.1, ultraedit: 0.05 };

/** The index-th record (0-based) of a task; the same every run. */
function makeRecord(plan: TaskPlan, index: number): GeneratedRecord {
  const random = rng(plan.first + index + 1);
  const pick: PickFn = (list) => list[Math.floor(random() * list.length)];
  const file = String(index + 1).padStart(8, '0') + '.png';
  const base = {
    id: `${plan.family}_${plan.task}_${String(index + 1).padStart(8, '0')}`,
    dataset_source: plan.family,
    task: plan.task,
    input: `input/${file}`,
    output: `output/${file}`,
  };
  const description = `${capitalise(pick(SUBJECTS))} ${pick(SETTINGS)}, with a ${pick(OBJECTS)} ${pick(PLACES)}.`;
  if (plan.task === 'complex-edit') {
    const steps = [shortInstruction('addition', pick), shortInstruction('style', pick), shortInstruction('env', pick)];
    const instruction = `${steps[0].slice(0, -1)}, ${lower(steps[1]).slice(0, -1)}, and ${lower(steps[2])}`;
    return { ...base, instruction, instruction_type: 'complex', input_description: description };
  }
  const short = shortInstruction(plan.task, pick);
  if (random() < (REWRITE_SHARE[plan.family] ?? 0)) {
    const instruction = `${short.slice(0, -1)}, so that it fits ${pick(SUBJECTS)} ${pick(SETTINGS)}. ${pick(KEEP)}`;
    return { ...base, instruction, instruction_type: 'rewrite', input_description: description, instruction_original: short };
  }
  return { ...base, instruction: short, instruction_type: 'original', input_description: description };
}

const capitalise = (s: string) => s[0].toUpperCase() + s.slice(1);
const lower = (s: string) => s[0].toLowerCase() + s.slice(1);

/** The image size bucket of a record (the paper's landscape / square / portrait buckets). */
const SIZES = [
  { width: 600, height: 400 },
  { width: 512, height: 512 },
  { width: 300, height: 427 },
  { width: 451, height: 300 },
];

/** Real PNG files, one per (size, input|output), each copied again every LINKS_PER_INODE links. */
class ImagePool {
  private readonly current: { file: string; links: number }[] = [];
  private copies = 0;

  private constructor(
    private readonly dir: string,
    private readonly buffers: Buffer[],
  ) {}

  static async create(dir: string): Promise<ImagePool> {
    fs.mkdirSync(dir, { recursive: true });
    const buffers: Buffer[] = [];
    for (const [i, size] of SIZES.entries()) {
      for (const side of ['input', 'output']) {
        const background = side === 'input' ? { r: 40 + i * 40, g: 120, b: 200 } : { r: 200, g: 80 + i * 30, b: 40 };
        // A little texture so the PNGs are not trivially tiny; still a few KB.
        const raw = Buffer.alloc(size.width * size.height * 3);
        for (let p = 0; p < raw.length; p += 3) {
          const x = (p / 3) % size.width;
          raw[p] = (background.r + x) & 255;
          raw[p + 1] = background.g;
          raw[p + 2] = (background.b + ((p / 3 / size.width) | 0)) & 255;
        }
        buffers.push(
          await sharp(raw, { raw: { width: size.width, height: size.height, channels: 3 } })
            .png()
            .toBuffer(),
        );
      }
    }
    return new ImagePool(dir, buffers);
  }

  get files() {
    return this.copies;
  }

  /** A file to link to for image `slot` (size * 2 + side). */
  source(slot: number): string {
    let entry = this.current[slot];
    if (!entry || entry.links >= LINKS_PER_INODE) {
      const file = path.join(this.dir, `image-${slot}-${this.copies++}.png`);
      fs.writeFileSync(file, this.buffers[slot]);
      entry = this.current[slot] = { file, links: 0 };
    }
    entry.links++;
    return entry.file;
  }
}

interface Generated {
  root: string;
  csv: string;
  tasks: TaskPlan[];
  metadataFiles: number;
  metadataBytes: number;
  csvBytes: number;
  imageFiles: number;
  links: number;
  seconds: { links: number; metadata: number; csv: number };
}

async function generate(work: string, n: number): Promise<Generated> {
  const root = path.join(work, 'gpt-edit');
  const tasks = planTasks(root, n);
  const pool = await ImagePool.create(path.join(work, 'image-pool'));
  const progress = everyFewSeconds();

  // Images: one hard link per record and side, so each record has its own file paths.
  let links = 0;
  const linkTime = timeSync(() => {
    for (const plan of tasks) {
      const input = path.join(plan.dir, 'input');
      const output = path.join(plan.dir, 'output');
      fs.mkdirSync(input, { recursive: true });
      fs.mkdirSync(output, { recursive: true });
      for (let i = 0; i < plan.count; i++) {
        const file = String(i + 1).padStart(8, '0') + '.png';
        const size = (plan.first + i) % SIZES.length;
        fs.linkSync(pool.source(size * 2), `${input}/${file}`);
        fs.linkSync(pool.source(size * 2 + 1), `${output}/${file}`);
        links += 2;
        if ((links & 0x3fff) === 0 && progress()) log(`images: ${fmt(links)} / ${fmt(2 * n)} links`);
      }
    }
  });
  log(`images: ${fmt(links)} links to ${pool.files} PNG files in ${linkTime.seconds.toFixed(1)}s`);

  // Metadata: JSON arrays, pretty-printed like the released files, <= 300k records per file.
  let metadataFiles = 0;
  let metadataBytes = 0;
  const metadataTime = timeSync(() => {
    let done = 0;
    for (const plan of tasks) {
      const dir = path.join(plan.dir, 'metadata');
      fs.mkdirSync(dir, { recursive: true });
      const parts = Math.ceil(plan.count / MAX_RECORDS_PER_FILE);
      for (let part = 0; part < parts; part++) {
        const stem = `${plan.family}_${plan.task}`;
        const name = parts === 1 ? `${stem}.json` : `${stem}_${String(part).padStart(2, '0')}.json`;
        const out = new BlockWriter(path.join(dir, name));
        const end = Math.min(plan.count, (part + 1) * MAX_RECORDS_PER_FILE);
        out.write('[\n');
        for (let i = part * MAX_RECORDS_PER_FILE; i < end; i++) {
          const json = JSON.stringify(makeRecord(plan, i), null, 2).replace(/\n/g, '\n  ');
          out.write(i + 1 < end ? `  ${json},\n` : `  ${json}\n`);
          if ((++done & 0x3fff) === 0 && progress()) log(`metadata: ${fmt(done)} / ${fmt(n)} records`);
        }
        out.write(']\n');
        out.close();
        metadataFiles++;
        metadataBytes += out.bytes;
      }
    }
  });
  log(`metadata: ${metadataFiles} files, ${(metadataBytes / 2 ** 20).toFixed(0)} MiB in ${metadataTime.seconds.toFixed(1)}s`);

  // The same records as CSV for the sqlite3 CLI (no header: the table exists already).
  const csv = path.join(work, 'records.csv');
  const csvOut = new BlockWriter(csv);
  const csvTime = timeSync(() => {
    for (const plan of tasks) {
      for (let i = 0; i < plan.count; i++) {
        const r = makeRecord(plan, i);
        csvOut.write(
          [r.id, r.dataset_source, r.task, r.input, r.output, r.instruction, r.instruction_type, r.input_description]
            .map(csvField)
            .join(',') + '\n',
        );
      }
    }
    csvOut.close();
  });
  log(`csv: ${(csvOut.bytes / 2 ** 20).toFixed(0)} MiB in ${csvTime.seconds.toFixed(1)}s`);

  return {
    root,
    csv,
    tasks,
    metadataFiles,
    metadataBytes,
    csvBytes: csvOut.bytes,
    imageFiles: pool.files,
    links,
    seconds: { links: linkTime.seconds, metadata: metadataTime.seconds, csv: csvTime.seconds },
  };
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Returns true at most once every few seconds (progress lines). */
function everyFewSeconds(ms = 3000) {
  let last = performance.now();
  return () => {
    const now = performance.now();
    if (now - last < ms) return false;
    last = now;
    return true;
  };
}

// ---------------------------------------------------------------------------------------
// Imports

interface LoupeImport {
  records: number;
  seconds: number;
  recordsPerSecond: number;
  skipped: number;
  dbBytes: number;
  summary: Pick<ImportSummary, 'dataset' | 'datasetId' | 'imported' | 'alreadyPresent' | 'skipped' | 'files' | 'seconds'>;
}

async function importWithLoupe(db: Db, dbFile: string, root: string, n: number, probe?: ProbeKind): Promise<LoupeImport> {
  const progress = everyFewSeconds();
  const start = performance.now();
  const summary = await importGptEdit(db, root, {
    probe,
    onProgress: (p) => {
      if (!progress()) return;
      const seconds = (performance.now() - start) / 1000;
      log(
        `loupe import: ${fmt(p.records)} / ${fmt(n)} records (${((100 * p.bytesRead) / p.bytesTotal).toFixed(0)}% of metadata), ` +
          `${fmt(p.records / seconds)} records/s`,
      );
    },
  });
  const seconds = (performance.now() - start) / 1000;
  if (summary.imported !== n) {
    const sample = summary.problems.slice(0, 5).map((p) => `${p.file} [${p.record}]: ${p.reason}`);
    throw new Error(`Loupe imported ${summary.imported} of ${n} records (${summary.skipped} skipped): ${sample.join('; ')}`);
  }
  return {
    records: summary.imported,
    seconds,
    recordsPerSecond: summary.imported / seconds,
    skipped: summary.skipped,
    dbBytes: fileBytes(dbFile) + fileBytes(`${dbFile}-wal`),
    summary: {
      dataset: summary.dataset,
      datasetId: summary.datasetId,
      imported: summary.imported,
      alreadyPresent: summary.alreadyPresent,
      skipped: summary.skipped,
      files: summary.files,
      seconds: summary.seconds,
    },
  };
}

// ---------------------------------------------------------------------------------------
// What the image checks cost

interface ImageChecks {
  /** The same import with the old header-only probe (no realpath, no structure, no tail). */
  baseline: LoupeImport;
  /** The checked import run again after the baseline (A-B-A). */
  checkedAgain: LoupeImport;
  /** Mean import rate of the two checked runs / the header-only run. */
  importRatio: number;
  /** Each checked run's rate / the header-only run's (before, after). */
  importRatios: [number, number];
  /** Images probed on this thread, each way (alternating rounds, page cache warm). */
  probe: { images: number; checkedPerSecond: number; headerOnlyPerSecond: number; ratio: number };
}

async function measureImageChecks(work: string, root: string, tasks: TaskPlan[], n: number, checked: LoupeImport): Promise<ImageChecks> {
  const importInto = async (name: string, probe?: ProbeKind) => {
    const dbFile = path.join(work, name);
    const db = checkpointOnTimer(openDb(dbFile));
    try {
      return await importWithLoupe(db, dbFile, root, n, probe);
    } finally {
      db.$client.close();
    }
  };
  const baseline = await importInto('loupe-header-only.db', HEADER_ONLY_PROBE);
  log(`header-only import: ${fmt(baseline.recordsPerSecond)} records/s (checked before it: ${fmt(checked.recordsPerSecond)})`);
  const checkedAgain = await importInto('loupe-checked-again.db');
  log(`checked import again: ${fmt(checkedAgain.recordsPerSecond)} records/s`);
  const importRatios: [number, number] = [
    checked.recordsPerSecond / baseline.recordsPerSecond,
    checkedAgain.recordsPerSecond / baseline.recordsPerSecond,
  ];

  // A sample of record images spread over every task folder.
  const images: { root: string; path: string }[] = [];
  const perTask = Math.max(1, Math.floor(Math.min(n, 20_000) / tasks.length));
  for (const plan of tasks) {
    const step = Math.max(1, Math.floor(plan.count / perTask));
    for (let i = 0; i < plan.count && images.length < 40_000; i += step) {
      const file = String(i + 1).padStart(8, '0') + '.png';
      images.push({ root: plan.dir, path: `input/${file}` }, { root: plan.dir, path: `output/${file}` });
    }
  }
  const seconds = { checked: 0, headerOnly: 0 };
  const folders = new FolderCache(); // as an import's worker probes
  const checkedProbe = (image: { root: string; path: string }) => probeOrReason(image, folders);
  for (let round = 0; round < 3; round++) {
    for (const [which, probe] of [
      ['checked', checkedProbe],
      ['headerOnly', probeHeaderOnly],
    ] as const) {
      const start = performance.now();
      for (const image of images) {
        const result = probe(image);
        if (typeof result === 'string') throw new Error(`${image.root}/${image.path}: ${result}`);
      }
      seconds[which] += (performance.now() - start) / 1000;
    }
  }
  const checkedPerSecond = (3 * images.length) / seconds.checked;
  const headerOnlyPerSecond = (3 * images.length) / seconds.headerOnly;
  return {
    baseline,
    checkedAgain,
    importRatio: (importRatios[0] + importRatios[1]) / 2,
    importRatios,
    probe: { images: images.length, checkedPerSecond, headerOnlyPerSecond, ratio: checkedPerSecond / headerOnlyPerSecond },
  };
}

interface CliImport {
  version: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  dbBytes: number;
}

function importWithSqliteCli(dbFile: string, csv: string, n: number): CliImport {
  const run = (script: string) => {
    const result = spawnSync(SQLITE_CLI, [dbFile], { input: script, encoding: 'utf8', maxBuffer: 1 << 26 });
    if (result.error) throw result.error;
    if (result.status !== 0 || result.stderr.trim()) {
      throw new Error(`${SQLITE_CLI} failed (exit ${result.status}): ${result.stderr.trim().slice(0, 500)}`);
    }
    return result.stdout.trim();
  };
  const version = run('SELECT sqlite_version();');
  run(
    'CREATE TABLE records (id TEXT, dataset_source TEXT, task TEXT, input TEXT, output TEXT, ' +
      'instruction TEXT, instruction_type TEXT, input_description TEXT);',
  );
  log(`sqlite3 CLI ${version}: .import of ${fmt(n)} rows...`);
  const timed = timeSync(() => run(`.mode csv\n.import '${csv.replace(/'/g, "''")}' records\n`));
  const rows = Number(run('SELECT count(*) FROM records;'));
  if (rows !== n) throw new Error(`sqlite3 .import loaded ${rows} rows, expected ${n}`);
  return { version, rows, seconds: timed.seconds, rowsPerSecond: rows / timed.seconds, dbBytes: fileBytes(dbFile) };
}

function fileBytes(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------
// Latencies

interface Latency {
  name: string;
  calls: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
  note?: string;
}

function latency(name: string, samples: number[], note?: string): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return {
    name,
    calls: samples.length,
    p50: at(0.5),
    p99: at(0.99),
    mean: samples.reduce((s, x) => s + x, 0) / samples.length,
    max: sorted[sorted.length - 1],
    note,
  };
}

function timed<T>(samples: number[], fn: () => T): T {
  const start = performance.now();
  const value = fn();
  samples.push(performance.now() - start);
  return value;
}

const DECISIONS: VerdictInput['decision'][] = [...Array<VerdictInput['decision']>(7).fill('accept'), 'reject', 'reject', 'skip'];

function verdictFor(itemId: number, i: number): VerdictInput {
  const decision = DECISIONS[i % DECISIONS.length];
  return {
    itemId,
    decision,
    reasons: decision === 'reject' ? ['artifacts'] : undefined,
    comment: decision === 'reject' && i % 3 === 0 ? 'visible seams around the edit' : undefined,
    msSpent: 3000 + (i % 7) * 500,
  };
}

/** Runs step(i) `iterations` times, or fewer when the time budget runs out first. */
function repeat(iterations: number, step: (i: number) => void): string {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    step(i);
    const elapsed = performance.now() - start;
    if (elapsed > BUDGET_MS && i + 1 < iterations) {
      log(`  stopped after ${fmt(i + 1)} of ${fmt(iterations)} iterations (${(elapsed / 1000).toFixed(0)} s budget spent)`);
      return `; stopped by the ${BUDGET_MS / 1000} s budget after ${fmt(i + 1)} of ${fmt(iterations)}`;
    }
  }
  return '';
}

function measureLatencies(db: Db, datasetId: number, tasks: TaskPlan[], iterations: number) {
  const all: ItemFilter = { datasetId };
  // A mid-sized task that is not first in queue order.
  const target = tasks.find((t) => t.family === 'omniedit' && t.task === 'style') ?? tasks[Math.floor(tasks.length / 2)];
  const byTask: ItemFilter = { datasetId, family: target.family, task: target.task };
  const results: Latency[] = [];
  const reviewers = 20;
  const claimOne = (samples: number[], filter: ItemFilter, who: Claimant) => {
    const ids = timed(samples, () => claimItems(db, filter, who, 1));
    if (ids.length !== 1) throw new Error(`claimItems returned ${ids.length} items for ${who.holder}`);
    return ids[0];
  };

  // 1. Many open pages: each of `iterations` distinct holders claims one item and keeps the
  //    lease, so every later claim has to step over all the leased items at the queue head.
  log('latency: claimItems, whole dataset, distinct holders...');
  const claimAll: number[] = [];
  const claimed: { who: Claimant; id: number }[] = [];
  let stopped = repeat(iterations, (i) => {
    const who = { holder: `bench-all-${i}`, reviewer: `reviewer-${i % reviewers}` };
    claimed.push({ who, id: claimOne(claimAll, all, who) });
  });
  results.push(latency('claimItems (whole dataset)', claimAll, `distinct holders, each keeps its lease${stopped}`));

  // 2. Same with the family + task filter.
  log(`latency: claimItems, ${target.family}/${target.task}, distinct holders...`);
  const claimTask: number[] = [];
  stopped = repeat(iterations, (i) => {
    const who = { holder: `bench-task-${i}`, reviewer: `reviewer-${i % reviewers}` };
    claimed.push({ who, id: claimOne(claimTask, byTask, who) });
  });
  const taskName = `claimItems (${target.family}/${target.task})`;
  results.push(latency(taskName, claimTask, `distinct holders, each keeps its lease${stopped}`));

  // 3. A verdict on every item claimed above (70% accept, 20% reject, 10% skip).
  log('latency: recordVerdict...');
  const verdictTimes: number[] = [];
  stopped = repeat(claimed.length, (i) => {
    const { who, id } = claimed[i];
    timed(verdictTimes, () => recordVerdict(db, who, verdictFor(id, i)));
  });
  results.push(latency('recordVerdict', verdictTimes, `on each item claimed above; 70% accept, 20% reject, 10% skip${stopped}`));

  // 4. Steady state: 20 review pages in turn claim their next item and decide it.
  log('latency: review loop...');
  const loopClaims: number[] = [];
  const loopVerdicts: number[] = [];
  stopped = repeat(iterations, (i) => {
    const who = { holder: `bench-loop-${i % reviewers}`, reviewer: `reviewer-${i % reviewers}` };
    const id = claimOne(loopClaims, i % 2 === 0 ? all : byTask, who);
    timed(loopVerdicts, () => recordVerdict(db, who, verdictFor(id, i)));
  });
  const loopNote = `${reviewers} pages in turn claim and decide, half with the task filter${stopped}`;
  results.push(latency('claimItems (review loop)', loopClaims, loopNote));
  results.push(latency('recordVerdict (review loop)', loopVerdicts, stopped.replace(/^; /, '')));

  // 5. Progress, with and without the family + task filter.
  log('latency: queueProgress...');
  const progressTimes: number[] = [];
  stopped = repeat(iterations, (i) => {
    timed(progressTimes, () => queueProgress(db, i % 2 === 0 ? all : byTask));
  });
  results.push(latency('queueProgress', progressTimes, `half with the task filter${stopped}`));

  return { results, byTask };
}

// ---------------------------------------------------------------------------------------
// Query plans: the exact statements the library runs, captured on a second connection.

interface Plan {
  /** The operations that run this statement. */
  operations: string[];
  sql: string;
  plan: string[];
  /** "SCAN t" lines: a whole table or a whole index is read. */
  fullScans: string[];
  /** Sorts in a temporary b-tree (ORDER BY not served by an index). */
  sorts: string[];
  /** Median time of the statement alone, run with the captured parameters and rolled back. */
  ms: number;
}

/** A statement alone slower than this is flagged even when its plan looks fine. */
const SLOW_STATEMENT_MS = 1;

function explainQueries(dbFile: string, datasetId: number, byTask: ItemFilter): Plan[] {
  const db = openDb(dbFile);
  const client = db.$client;
  const recorder = recordStatements(client);
  const capture = recorder.capture;
  // A page that holds nothing (the usual case: a verdict releases the lease), then the same
  // page again while it holds its item, then with the family + task filter.
  const who = { holder: 'bench-explain', reviewer: 'bench-explain' };
  capture('claimItems (whole dataset)', () => claimItems(db, { datasetId }, who, 1));
  capture('claimItems (whole dataset)', () => claimItems(db, { datasetId }, who, 1));
  const taskOperation = `claimItems (${byTask.family}/${byTask.task})`;
  let held: number[] = [];
  capture(taskOperation, () => (held = claimItems(db, byTask, who, 1)));
  capture('recordVerdict', () => recordVerdict(db, who, { itemId: held[0], decision: 'accept' }));
  capture(taskOperation, () => claimItems(db, byTask, who, 1));
  capture('queueProgress', () => queueProgress(db, { datasetId }));
  capture('queueProgress', () => queueProgress(db, byTask));

  const plans: Plan[] = [];
  for (const { operations, sql, params, plan, details } of recorder.statements()) {
    // json_each is the statement's own parameter list, not a table.
    const fullScans = details.filter((d) => /^SCAN /.test(d) && !/^SCAN (CONSTANT ROW|json_each)/.test(d));
    const sorts = details.filter((d) => /TEMP B-TREE/.test(d));
    const stmt = recorder.prepare(sql);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      client.exec('BEGIN');
      try {
        timed(times, () => (stmt.reader ? stmt.all(...params) : stmt.run(...params)));
      } finally {
        client.exec('ROLLBACK');
      }
    }
    const ms = times.sort((a, b) => a - b)[2];
    plans.push({ operations, sql: sql.replace(/\s+/g, ' ').trim(), plan, fullScans, sorts, ms });
  }
  client.close();
  return plans;
}

// ---------------------------------------------------------------------------------------
// Report

function markdownReport(report: Report): string {
  const r = report;
  const lines: string[] = [];
  const row = (...cells: (string | number)[]) => lines.push(`| ${cells.join(' | ')} |`);
  const ok = (pass: boolean) => (pass ? '✅' : '❌');
  lines.push(`# Loupe import benchmark — ${fmt(r.records)} records`, '');
  lines.push(
    `${r.date} · ${r.machine.cpus}× ${r.machine.cpuModel} · ${r.machine.memoryGiB} GiB RAM · ` +
      `load ${r.machine.loadAverage.join(' / ')} · ` +
      `Node ${r.machine.node} · SQLite ${r.machine.sqliteLibrary} (better-sqlite3) / ${r.cli.version.split(' ')[0]} (CLI)`,
    '',
  );
  lines.push('## Generated data (not counted in any import time)', '');
  row('What', 'Amount', 'Time');
  row('---', '---:', '---:');
  const g = r.generation;
  const mib = (bytes: number) => `${fmt(bytes / 2 ** 20)} MiB`;
  const sec = (s: number) => `${s.toFixed(1)} s`;
  row('Image links (hard links to real PNGs)', `${fmt(g.links)} links → ${g.imageFiles} PNG files`, sec(g.seconds.links));
  row('Metadata JSON', `${g.metadataFiles} files, ${mib(g.metadataBytes)}, ${g.taskFolders} task folders`, sec(g.seconds.metadata));
  row('CSV for the sqlite3 CLI', mib(g.csvBytes), sec(g.seconds.csv));
  lines.push('');
  lines.push('## Import', '');
  row('Importer', 'Rows', 'Time', 'Rows/s', 'Database size');
  row('---', '---:', '---:', '---:', '---:');
  const { loupe, cli } = r;
  const loupeName = 'Loupe `importGptEdit` (items + versions + candidates, 2 image probes/record)';
  row(loupeName, fmt(loupe.records), sec(loupe.seconds), fmt(loupe.recordsPerSecond), mib(loupe.dbBytes));
  row('sqlite3 CLI `.import` (plain table, no index)', fmt(cli.rows), sec(cli.seconds), fmt(cli.rowsPerSecond), mib(cli.dbBytes));
  lines.push('');
  lines.push(`**Ratio Loupe / CLI: ${r.ratio.toFixed(2)}** (goal ≥ ${GOAL_RATIO}) ${ok(r.goals.ratio)}`, '');
  if (r.imageChecks) {
    const c = r.imageChecks;
    lines.push('## What the image checks cost', '');
    lines.push(
      'Each image is resolved inside its folder (realpath of the folder, cached per import; no final link followed), ' +
        'opened once, identified (dev:ino) and checked ' +
        'from a bounded head and tail (type from magic bytes, JPEG EOI, PNG IHDR CRC/chunks/IEND, WebP RIFF size, ' +
        'GIF trailer, pixel limit). Baseline: the old probe (4 KB header only).',
      '',
    );
    row('Measure', 'With checks', 'Header only', 'Ratio (checks / header only)');
    row('---', '---:', '---:', '---:');
    row(
      'Import, records/s (checked before the baseline)',
      fmt(loupe.recordsPerSecond),
      fmt(c.baseline.recordsPerSecond),
      c.importRatios[0].toFixed(3),
    );
    row(
      'Import, records/s (checked after the baseline)',
      fmt(c.checkedAgain.recordsPerSecond),
      fmt(c.baseline.recordsPerSecond),
      c.importRatios[1].toFixed(3),
    );
    row('**Import, mean ratio (A-B-A)**', '', '', `**${c.importRatio.toFixed(3)}**`);
    row(
      `Probe alone, images/s (${fmt(c.probe.images)} images × 3 rounds, one thread)`,
      fmt(c.probe.checkedPerSecond),
      fmt(c.probe.headerOnlyPerSecond),
      c.probe.ratio.toFixed(3),
    );
    lines.push('');
    // The import probes on one worker thread beside the main thread, so this is its ceiling.
    const probeBound = c.probe.checkedPerSecond / 2;
    lines.push(
      `The probe alone (one worker thread, two images per record) bounds the import at ${fmt(probeBound)} records/s, ` +
        `a ratio of ${(probeBound / cli.rowsPerSecond).toFixed(2)} to the CLI.`,
      '',
    );
  }
  lines.push(`## Review latency (${fmt(r.records)} items in the database)`, '');
  row('Operation', 'Calls', 'p50 ms', 'p99 ms', 'mean ms', 'max ms', `p99 < ${GOAL_P99_MS} ms`, 'Scenario');
  row('---', '---:', '---:', '---:', '---:', '---:', ':---:', '---');
  for (const l of r.latencies) {
    const ms = [l.p50, l.p99, l.mean, l.max].map((x) => x.toFixed(3));
    row(l.name, fmt(l.calls), ...ms, ok(l.p99 < GOAL_P99_MS), l.note ?? '');
  }
  lines.push('');
  lines.push('## Query plans', '');
  lines.push(
    'EXPLAIN QUERY PLAN of every statement the library runs for these operations (captured from the library itself), ' +
      `and the statement's own median time (run alone with the same parameters, rolled back). ` +
      `Flagged ❌: a SCAN of a table or a whole index, or a statement slower than ${SLOW_STATEMENT_MS} ms. ` +
      "⚠️ marks a sort in a temporary b-tree: harmless on a handful of rows (one page's own leases), bad on the queue.",
    '',
  );
  for (const p of r.plans) {
    const flags = [
      ...p.fullScans.map((s) => `❌ full scan: ${s}`),
      ...(p.ms > SLOW_STATEMENT_MS ? [`❌ slow: ${p.ms.toFixed(2)} ms`] : []),
      ...p.sorts.map((s) => `⚠️ ${s}`),
    ];
    lines.push(`**${p.operations.join(', ')}** — ${p.ms.toFixed(3)} ms ${flags.length ? flags.join(' · ') : '✅'}`, '');
    lines.push('```sql', p.sql, '```');
    if (p.plan.length) lines.push('```', ...p.plan, '```');
    lines.push('');
  }
  lines.push('## Goals', '');
  lines.push(`- Import ratio Loupe / CLI ≥ ${GOAL_RATIO}: ${r.ratio.toFixed(2)} ${ok(r.goals.ratio)}`);
  lines.push(`- p99 < ${GOAL_P99_MS} ms for every review operation: ${ok(r.goals.p99)}`);
  lines.push(`- No full table scan in the review queries: ${ok(r.goals.noFullScan)}`);
  lines.push(`- Every review statement alone under ${SLOW_STATEMENT_MS} ms: ${ok(r.goals.statementsFast)}`);
  return lines.join('\n') + '\n';
}

interface Report {
  date: string;
  records: number;
  iterations: number;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    loadAverage: string[];
    node: string;
    sqliteLibrary: string;
    platform: string;
  };
  workDir: string;
  kept: boolean;
  generation: Omit<Generated, 'root' | 'csv' | 'tasks'> & { taskFolders: number };
  loupe: LoupeImport;
  imageChecks?: ImageChecks;
  cli: CliImport;
  ratio: number;
  latencies: Latency[];
  plans: Plan[];
  goals: { ratio: boolean; p99: boolean; noFullScan: boolean; statementsFast: boolean };
}

// ---------------------------------------------------------------------------------------

async function main() {
  const work = args.dir ? path.resolve(args.dir) : fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-bench-'));
  fs.mkdirSync(work, { recursive: true });
  if (fs.readdirSync(work).length) throw new Error(`--dir ${work} is not empty`);
  log(`working in ${work} (${fmt(N)} records)`);
  let cleanup = !args.keep;
  try {
    const generated = await generate(work, N);

    const dbFile = path.join(work, 'loupe.db');
    // Configured as the server and the CLI configure their connection (getDb).
    const db = checkpointOnTimer(openDb(dbFile));
    const loupe = await importWithLoupe(db, dbFile, generated.root, N);
    log(`loupe import: ${fmt(loupe.records)} records in ${loupe.seconds.toFixed(1)}s = ${fmt(loupe.recordsPerSecond)} records/s`);

    const imageChecks = args['skip-image-baseline'] ? undefined : await measureImageChecks(work, generated.root, generated.tasks, N, loupe);

    const cli = importWithSqliteCli(path.join(work, 'cli.db'), generated.csv, N);
    log(`sqlite3 CLI: ${fmt(cli.rows)} rows in ${cli.seconds.toFixed(1)}s = ${fmt(cli.rowsPerSecond)} rows/s`);

    log(`latencies: ${fmt(ITERATIONS)} iterations per scenario...`);
    const { results, byTask } = measureLatencies(db, loupe.summary.datasetId, generated.tasks, ITERATIONS);
    const plans = explainQueries(dbFile, loupe.summary.datasetId, byTask);
    db.$client.close();

    const sqliteLibrary = (openDbVersion(dbFile) as string) ?? 'unknown';
    const ratio = loupe.recordsPerSecond / cli.rowsPerSecond;
    const report: Report = {
      date: new Date().toISOString(),
      records: N,
      iterations: ITERATIONS,
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        loadAverage: os.loadavg().map((l) => l.toFixed(2)),
        node: process.versions.node,
        sqliteLibrary,
        platform: `${os.platform()} ${os.release()}`,
      },
      workDir: work,
      kept: !cleanup,
      generation: {
        metadataFiles: generated.metadataFiles,
        metadataBytes: generated.metadataBytes,
        csvBytes: generated.csvBytes,
        imageFiles: generated.imageFiles,
        links: generated.links,
        seconds: generated.seconds,
        taskFolders: generated.tasks.length,
      },
      loupe,
      imageChecks,
      cli,
      ratio,
      latencies: results,
      plans,
      goals: {
        ratio: ratio >= GOAL_RATIO,
        p99: results.every((l) => l.p99 < GOAL_P99_MS),
        noFullScan: plans.every((p) => p.fullScans.length === 0),
        statementsFast: plans.every((p) => p.ms <= SLOW_STATEMENT_MS),
      },
    };

    fs.mkdirSync(OUT_DIR, { recursive: true });
    const stamp = report.date.replace(/:/g, '-').replace(/\..*/, '');
    const jsonFile = path.join(OUT_DIR, `import-${stamp}.json`);
    fs.writeFileSync(jsonFile, JSON.stringify(report, null, 2) + '\n');
    process.stdout.write(markdownReport(report));
    log(`report written to ${path.relative(process.cwd(), jsonFile)}`);
  } catch (error) {
    cleanup = cleanup && !args.dir; // leave a failed run in a folder the user chose for inspection
    throw error;
  } finally {
    if (cleanup) {
      log(`removing ${work}...`);
      const removed = timeSync(() => fs.rmSync(work, { recursive: true, force: true }));
      log(`removed in ${removed.seconds.toFixed(1)}s`);
    } else {
      log(`kept ${work}`);
    }
  }
}

function openDbVersion(dbFile: string): string | undefined {
  const db = openDb(dbFile);
  try {
    return db.$client.prepare('SELECT sqlite_version()').pluck().get() as string;
  } finally {
    db.$client.close();
  }
}

main().catch((error) => {
  process.stderr.write(`bench:import failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
