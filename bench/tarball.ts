/**
 * Tarball import benchmark: `npm run bench:tarball -- [--records N] [--png-bytes B] [--part-mb M] [--dir DIR] [--keep]`.
 *
 * 1. Generates (timed on its own, never counted) one task of N records with their own
 *    input and output PNG each (B bytes, incompressible filler as in real PNG data), as a
 *    gzip-compressed tar with the members in `tar --sort=name` order (input/, metadata/,
 *    output/), split into M MiB parts (`omniedit.tar.gz.part001`, …) as the release is.
 * 2. Baseline: `cat parts | tar -xzf -` into a temporary folder on the same disk, twice
 *    (before and after Loupe's run, so a warmer cache favours neither side): MB/s of
 *    compressed input.
 * 3. Loupe: importTarball (the CLI's code path) into a fresh database and store: records/s
 *    and MB/s of compressed input, and the ratio to tar's MB/s (goal: at least 0.8).
 * 4. Where the time goes, in the same run: the same parts streamed through Loupe's gunzip +
 *    tar reader only; then also hashing and checking every image in memory; then also writing
 *    each to a fresh store; the rest of the import's time is the pairing and the database.
 * 5. Prints a markdown report on stdout and writes it as JSON to bench/out/tarball-<date>.json.
 *
 * Progress goes to stderr. The generated folder is removed at the end unless --keep.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import { openDb } from '@/db';
import { bufferSource, checkImage } from '@/lib/images/check';
import { FolderCache } from '@/lib/images/open';
import { writeStoreFileSync } from '@/lib/images/store';
import { importTarball } from '@/lib/import/tarball/import-tarball';
import { classifyMember } from '@/lib/import/tarball/members';
import { findTarballs } from '@/lib/import/tarball/parts';
import { streamArchive } from '@/lib/import/tarball/stream';
import { distinctPng } from '@/lib/test/tarball';

const OUT_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');
const GOAL_RATIO = 0.8;

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '20000' },
    'png-bytes': { type: 'string', default: '4096' },
    'part-mb': { type: 'string', default: '32' },
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number(args.records);
const PNG_BYTES = Number(args['png-bytes']);
const PART_BYTES = Number(args['part-mb']) * (1 << 20);

const log = (message: string) => process.stderr.write(`${message}\n`);
const mb = (bytes: number) => bytes / 1e6;

async function main() {
  const dir = args.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-bench-tarball-'));
  fs.mkdirSync(dir, { recursive: true });
  const partsDir = path.join(dir, 'gpt-edit');
  try {
    log(`generating ${N.toLocaleString('en-US')} records (${PNG_BYTES}-byte PNGs) as split tarballs in ${partsDir}`);
    let started = performance.now();
    const tarBytes = await writeSplitTarball(partsDir, 'omniedit.tar.gz', N);
    const generateSeconds = (performance.now() - started) / 1000;
    const parts = findTarballs([partsDir]).archives[0].parts;
    const compressed = parts.reduce((sum, p) => sum + fs.statSync(p).size, 0);
    log(
      `  ${parts.length} parts, ${mb(compressed).toFixed(1)} MB compressed, ${mb(tarBytes).toFixed(1)} MB of tar, in ${generateSeconds.toFixed(1)}s`,
    );

    const tarRuns = [untar(parts, dir)];
    log(`tar -xzf: ${tarRuns[0].seconds.toFixed(2)}s (${tarRuns[0].cpuSeconds.toFixed(2)} CPU s)`);

    const db = openDb(path.join(dir, 'loupe', 'loupe.db'));
    let peakRss = process.memoryUsage().rss;
    const rssAtStart = peakRss;
    let peakHeap = process.memoryUsage().heapUsed;
    const heapAtStart = peakHeap;
    const sampler = setInterval(() => {
      const memory = process.memoryUsage();
      peakRss = Math.max(peakRss, memory.rss);
      peakHeap = Math.max(peakHeap, memory.heapUsed);
    }, 100);
    started = performance.now();
    const cpuAtStart = process.cpuUsage();
    const summary = await importTarball(db, [partsDir]);
    const loupeSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuAtStart);
    const loupeCpuSeconds = (cpu.user + cpu.system) / 1e6; // every thread of the process: gunzip and the store's writes included
    clearInterval(sampler);
    if (summary.imported !== N || summary.skipped !== 0)
      throw new Error(`imported ${summary.imported} of ${N}, ${summary.skipped} skipped`);
    log(`loupe import: ${loupeSeconds.toFixed(2)}s (${loupeCpuSeconds.toFixed(2)} CPU s)`);
    db.$client.close();

    tarRuns.push(untar(parts, dir));
    log(`tar -xzf again: ${tarRuns[1].seconds.toFixed(2)}s (${tarRuns[1].cpuSeconds.toFixed(2)} CPU s)`);

    const streamOnly = await streamSeconds(parts, 'read');
    log(`gunzip + tar reader only: ${streamOnly.toFixed(2)}s`);
    const withChecks = await streamSeconds(parts, 'check');
    log(`… + sha256 + image checks: ${withChecks.toFixed(2)}s`);
    const withStore = await streamSeconds(parts, 'store', path.join(dir, 'store-only'));
    log(`… + store writes: ${withStore.toFixed(2)}s`);

    const tarSeconds = (tarRuns[0].seconds + tarRuns[1].seconds) / 2;
    const tarCpuSeconds = (tarRuns[0].cpuSeconds + tarRuns[1].cpuSeconds) / 2;
    const tarMBs = mb(compressed) / tarSeconds;
    const loupeMBs = mb(compressed) / loupeSeconds;
    const result = {
      date: new Date().toISOString(),
      records: N,
      images: 2 * N,
      pngBytes: PNG_BYTES,
      parts: parts.length,
      compressedMB: mb(compressed),
      tarMB: mb(tarBytes),
      cpus: os.cpus().length,
      loadAverage: os.loadavg()[0],
      generateSeconds,
      tar: {
        seconds: tarRuns.map((r) => r.seconds),
        cpuSeconds: tarRuns.map((r) => r.cpuSeconds),
        mbPerSecond: tarMBs,
        mbPerCpuSecond: mb(compressed) / tarCpuSeconds,
      },
      loupe: {
        seconds: loupeSeconds,
        cpuSeconds: loupeCpuSeconds,
        recordsPerSecond: N / loupeSeconds,
        mbPerSecond: loupeMBs,
        mbPerCpuSecond: mb(compressed) / loupeCpuSeconds,
        rssStartMB: mb(rssAtStart),
        rssPeakMB: mb(peakRss),
        heapStartMB: mb(heapAtStart),
        heapPeakMB: mb(peakHeap),
      },
      ratio: loupeMBs / tarMBs,
      cpuRatio: mb(compressed) / loupeCpuSeconds / (mb(compressed) / tarCpuSeconds),
      goal: GOAL_RATIO,
      breakdown: {
        gunzipAndTarSeconds: streamOnly,
        hashAndCheckSeconds: withChecks - streamOnly,
        storeWritesSeconds: withStore - withChecks,
        pairingAndDbSeconds: loupeSeconds - withStore,
      },
    };
    fs.mkdirSync(OUT_DIR, { recursive: true });
    const out = path.join(OUT_DIR, `tarball-${result.date.replace(/[:.]/g, '-').slice(0, 19)}.json`);
    fs.writeFileSync(out, JSON.stringify(result, null, 2));
    process.stdout.write(report(result) + `\nJSON: ${path.relative(process.cwd(), out)}\n`);
  } finally {
    if (!args.keep) fs.rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  }
}

/** The members streamed straight into tar → gzip → parts, never all in memory. Returns the tar's size. */
async function writeSplitTarball(dir: string, archive: string, n: number): Promise<number> {
  fs.mkdirSync(dir, { recursive: true });
  const family = 'omniedit';
  const task = 'synthetic';
  const id = (i: number) => String(i).padStart(8, '0');
  const records = Array.from({ length: n }, (_, i) => ({
    id: `${family}_${task}_${id(i)}`,
    dataset_source: family,
    task,
    input: `input/${id(i)}.png`,
    output: `output/${id(i)}.png`,
    instruction: `Edit number ${i}.`,
    instruction_type: 'original',
  }));
  const pack = tar.pack();
  let tarBytes = 0;
  pack.on('data', (chunk: unknown) => {
    tarBytes += (chunk as Buffer).length;
  });
  const writing = pipeline(pack, zlib.createGzip(), new PartWriter(dir, archive));
  const entry = (name: string, bytes: Buffer) =>
    new Promise<void>((resolve, reject) =>
      pack.entry({ name: `${family}/${task}/${name}`, size: bytes.length, mtime: new Date(0) }, bytes, (e) => (e ? reject(e) : resolve())),
    );
  for (let i = 0; i < n; i++) await entry(`input/${id(i)}.png`, distinctPng(2 * i, PNG_BYTES));
  await entry(`metadata/${family}_${task}.json`, Buffer.from(JSON.stringify(records, null, 2)));
  for (let i = 0; i < n; i++) await entry(`output/${id(i)}.png`, distinctPng(2 * i + 1, PNG_BYTES));
  pack.finalize();
  await writing;
  return tarBytes;
}

/** A writable that cuts what it is given into numbered part files, as `split -b` does. */
class PartWriter extends (await import('node:stream')).Writable {
  private part = 0;
  private fd = -1;
  private inPart = 0;

  constructor(
    private readonly dir: string,
    private readonly archive: string,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: string, done: (error?: Error) => void) {
    let at = 0;
    while (at < chunk.length) {
      if (this.fd < 0 || this.inPart === PART_BYTES) this.next();
      const n = Math.min(chunk.length - at, PART_BYTES - this.inPart);
      fs.writeSync(this.fd, chunk, at, n);
      this.inPart += n;
      at += n;
    }
    done();
  }

  override _final(done: () => void) {
    if (this.fd >= 0) fs.closeSync(this.fd);
    done();
  }

  private next() {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.part++;
    this.fd = fs.openSync(path.join(this.dir, `${this.archive}.part${String(this.part).padStart(3, '0')}`), 'w');
    this.inPart = 0;
  }
}

/**
 * `cat parts | tar -xzf -` into a fresh folder: wall seconds, and the CPU seconds (user +
 * system) of cat, gzip and tar, from the shell's `times` (the folder is removed after, untimed).
 */
function untar(parts: string[], dir: string): { seconds: number; cpuSeconds: number } {
  const target = fs.mkdtempSync(path.join(dir, 'untar-'));
  const started = performance.now();
  const result = spawnSync('sh', ['-c', 'cat "$@" | tar -xzf - -C "$0"; status=$?; times; exit $status', target, ...parts], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`tar -xzf failed (${result.status})`);
  fs.rmSync(target, { recursive: true, force: true });
  // `times` prints the shell's user and system time, then its children's: "0m1.234s 0m0.567s".
  const children = result.stdout.trim().split('\n').at(-1)!.split(/\s+/);
  const cpuSeconds = children.reduce((sum, t) => {
    const [, minutes, secs] = /^(\d+)m([\d.]+)s$/.exec(t) ?? [];
    return sum + Number(minutes) * 60 + Number(secs);
  }, 0);
  return { seconds, cpuSeconds };
}

/**
 * Loupe's stream alone: gunzip + tar reader reading every member whole; then also hashing
 * and checking each image; then also writing it to a fresh store as the import does (the
 * same writeStoreFileSync): the import's stages, one added at a time.
 */
async function streamSeconds(parts: string[], upTo: 'read' | 'check' | 'store', storeDir = ''): Promise<number> {
  const folders = new FolderCache();
  const started = performance.now();
  await streamArchive({ name: 'omniedit.tar.gz', parts }, { bytesRead: 0 }, async (member) => {
    const bytes = await member.read();
    if (upTo === 'read' || classifyMember(member.name).kind !== 'image') return;
    const info = checkImage(bufferSource(bytes));
    if (upTo === 'store')
      writeStoreFileSync(storeDir, bytes, info.format, folders); // hashes as it names the file
    else crypto.createHash('sha256').update(bytes).digest('hex');
  });
  const seconds = (performance.now() - started) / 1000;
  if (storeDir) fs.rmSync(storeDir, { recursive: true, force: true });
  return seconds;
}

function report(r: {
  records: number;
  images: number;
  pngBytes: number;
  parts: number;
  compressedMB: number;
  cpus: number;
  loadAverage: number;
  tar: { seconds: number[]; cpuSeconds: number[]; mbPerSecond: number; mbPerCpuSecond: number };
  loupe: {
    seconds: number;
    cpuSeconds: number;
    recordsPerSecond: number;
    mbPerSecond: number;
    mbPerCpuSecond: number;
    rssStartMB: number;
    rssPeakMB: number;
    heapStartMB: number;
    heapPeakMB: number;
  };
  ratio: number;
  cpuRatio: number;
  breakdown: { gunzipAndTarSeconds: number; hashAndCheckSeconds: number; storeWritesSeconds: number; pairingAndDbSeconds: number };
}): string {
  const f = (n: number, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const b = r.breakdown;
  return [
    `# Tarball import: ${r.records.toLocaleString('en-US')} records, ${r.images.toLocaleString('en-US')} PNGs of ${r.pngBytes} bytes, ${r.parts} parts, ${f(r.compressedMB)} MB compressed`,
    `(${r.cpus} CPUs, load average ${f(r.loadAverage, 2)} at the end)`,
    '',
    '| | seconds | records/s | MB/s (compressed) | CPU seconds | MB per CPU second |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    `| tar -xzf (mean of ${r.tar.seconds.map((s) => f(s, 2)).join(' and ')}) | ${f((r.tar.seconds[0] + r.tar.seconds[1]) / 2, 2)} | ${f(r.records / ((r.tar.seconds[0] + r.tar.seconds[1]) / 2), 0)} | ${f(r.tar.mbPerSecond)} | ${f((r.tar.cpuSeconds[0] + r.tar.cpuSeconds[1]) / 2, 2)} | ${f(r.tar.mbPerCpuSecond)} |`,
    `| Loupe importTarball | ${f(r.loupe.seconds, 2)} | ${f(r.loupe.recordsPerSecond, 0)} | ${f(r.loupe.mbPerSecond)} | ${f(r.loupe.cpuSeconds, 2)} | ${f(r.loupe.mbPerCpuSecond)} |`,
    '',
    `**Ratio (Loupe MB/s / tar MB/s): ${f(r.ratio, 2)}** (goal ≥ ${GOAL_RATIO}: ${r.ratio >= GOAL_RATIO ? 'met' : 'not met'}); per CPU second: ${f(r.cpuRatio, 2)}`,
    '(on a shared machine the wall time swings with the other load; the CPU seconds, cat + gzip + tar against every thread of Loupe, swing less)',
    '',
    `Loupe's resident memory: ${f(r.loupe.rssStartMB, 0)} MB before the import, ${f(r.loupe.rssPeakMB, 0)} MB at its peak; its JS heap ${f(r.loupe.heapStartMB, 0)} MB before, ${f(r.loupe.heapPeakMB, 0)} MB at its peak (sampled every 100 ms).`,
    '',
    "Where Loupe's time goes: its stages alone over the same parts, adding one at a time (each line a separate run; the",
    "disk's speed varies from run to run on a shared machine):",
    '',
    '| stages | seconds |',
    '| --- | ---: |',
    `| gunzip + tar reader (every member read whole) | ${f(b.gunzipAndTarSeconds, 2)} |`,
    `| + sha256 + image checks in memory | ${f(b.gunzipAndTarSeconds + b.hashAndCheckSeconds, 2)} |`,
    `| + store writes (temp file, rename, identity) | ${f(b.gunzipAndTarSeconds + b.hashAndCheckSeconds + b.storeWritesSeconds, 2)} |`,
    `| the whole import (+ pairing, batches into the database) | ${f(r.loupe.seconds, 2)} |`,
  ].join('\n');
}

await main();
