/**
 * Export benchmark: `npm run bench:export -- [--items N] [--file-items M] [--png-bytes B] [--profile] [--skip-layout] [--keep]`.
 *
 * 1. **jsonl with `--images none`** over N items (default 200,000; `--items 1000000` for the issue's
 *    size): bench/load-db.ts's cached database (the samples copied to N items), copied afresh. The
 *    export runs in a child process (the CLI's code path, `exportItems`), which reports its own
 *    peak RSS (VmHWM). Twice: with the images in the dataset folder they were imported from (each
 *    checked and hashed once, for its reference), then moved into Loupe's content-addressed store
 *    (as a tarball import leaves them: the reference comes from the name). Baseline in the same run: `sqlite3 -json` over the same items table, to a file.
 *    Goal: >= 100k rows/s and peak RSS under 300 MB. `--profile` writes the child's CPU profile
 *    (node --cpu-prof) to bench/out and prints its top functions by self time.
 * 2. **Images: copy vs link** over M items (default 2,000) with their own B-byte PNGs (default
 *    16 KiB; a layout imported with the real importer): the same jsonl export with `--images copy`
 *    and `--images link`: time, and the disk the export added (blocks of files that are not the
 *    imported images).
 * 3. **WebDataset with images** over the same M items, against GNU `tar -cf` writing the same files
 *    (the shards' members, extracted beforehand, untimed) in the same run. Goal: Loupe's rate at
 *    least 0.8 of tar's.
 *
 * Markdown on stdout, JSON in bench/out/export-<date>.json, progress on stderr.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { openDb } from '@/db';
import { exportItems } from '@/lib/export';
import type { ExportFormat, ImageMode } from '@/lib/export/formats';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { distinctPng } from '@/lib/test/tarball';
import { templateDb } from './load-db';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = path.join(REPO, 'bench', 'out');
const log = (message: string) => process.stderr.write(`[bench:export] ${message}\n`);

const { values: args } = parseArgs({
  options: {
    items: { type: 'string', default: '200000' },
    'file-items': { type: 'string', default: '2000' },
    'png-bytes': { type: 'string', default: '16384' },
    profile: { type: 'boolean', default: false },
    // Skip the run with the images in their dataset folder (it checks and hashes each: slow at 1M).
    'skip-layout': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    // One export in this process (the parent's child): prints {seconds, items, maxRssMb} as JSON.
    child: { type: 'string' },
    db: { type: 'string' },
    out: { type: 'string' },
    images: { type: 'string' },
  },
});

interface ChildResult {
  seconds: number;
  items: number;
  files: number;
  bytes: number;
  maxRssMb: number;
  estimatedBytes: number;
}

async function child() {
  const db = openDb(args.db!);
  const summary = await exportItems(db, args.child as ExportFormat, {
    out: args.out!,
    status: 'all',
    images: args.images as ImageMode | undefined,
    createdBy: 'bench:export',
  });
  const result: ChildResult = {
    seconds: summary.seconds,
    items: summary.items,
    files: summary.files,
    bytes: summary.bytes,
    estimatedBytes: summary.estimatedBytes,
    maxRssMb: peakRssMb(),
  };
  process.stdout.write(JSON.stringify(result) + '\n');
  db.$client.close();
}

/**
 * This process's peak RSS (VmHWM): kept per address space, so it starts afresh at exec. (getrusage's
 * maxRSS does not: a child inherits its parent's high-water mark, here the benchmark's own.)
 */
function peakRssMb(): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1];
  return kb ? Number(kb) / 1024 : process.resourceUsage().maxRSS / 1024;
}

/**
 * Moves the template's images into Loupe's content-addressed store beside the database (as a
 * tarball import leaves them: `ab/<sha256>.png` under the store root), so `--images none` names
 * them without reading them. The items and candidates are pointed at the stored files.
 */
function intoStore(dbFile: string) {
  const sqlite = new Database(dbFile);
  try {
    const store = path.join(path.dirname(dbFile), 'images');
    sqlite.prepare('INSERT OR IGNORE INTO image_roots (path) VALUES (?)').run(store);
    const storeId = sqlite.prepare<[string], number>('SELECT id FROM image_roots WHERE path = ?').pluck().get(store)!;
    const roots = new Map(
      sqlite
        .prepare<[], { id: number; path: string }>('SELECT id, path FROM image_roots')
        .all()
        .map((r) => [r.id, r.path]),
    );
    const stored = (rootId: number, rel: string) => {
      const bytes = fs.readFileSync(path.join(roots.get(rootId)!, rel));
      const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
      const name = `${sha256.slice(0, 2)}/${sha256}${path.extname(rel)}`;
      fs.mkdirSync(path.join(store, sha256.slice(0, 2)), { recursive: true });
      fs.writeFileSync(path.join(store, name), bytes);
      const stats = fs.statSync(path.join(store, name), { bigint: true });
      return { name, fileId: `${stats.dev}:${stats.ino}` };
    };
    sqlite.transaction(() => {
      for (const { root, rel } of sqlite
        .prepare<[], { root: number; rel: string }>('SELECT DISTINCT source_root_id AS root, source_path AS rel FROM items')
        .all()) {
        const { name, fileId } = stored(root, rel);
        sqlite
          .prepare('UPDATE items SET source_root_id = ?, source_path = ?, source_file_id = ? WHERE source_root_id = ? AND source_path = ?')
          .run(storeId, name, fileId, root, rel);
      }
      for (const { root, rel } of sqlite
        .prepare<[], { root: number; rel: string }>('SELECT DISTINCT root_id AS root, path AS rel FROM candidates')
        .all()) {
        const { name, fileId } = stored(root, rel);
        sqlite
          .prepare('UPDATE candidates SET root_id = ?, path = ?, file_id = ? WHERE root_id = ? AND path = ?')
          .run(storeId, name, fileId, root, rel);
      }
    })();
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    sqlite.close();
  }
}

/** Runs one export in a child process (its own peak RSS), optionally under --cpu-prof. */
function runExport(db: string, out: string, format: ExportFormat, images?: ImageMode, profileDir?: string): ChildResult {
  const nodeArgs = ['--import', 'tsx', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
  const result = spawnSync(
    process.execPath,
    [
      ...nodeArgs,
      path.join(REPO, 'bench', 'export.ts'),
      '--child',
      format,
      '--db',
      db,
      '--out',
      out,
      ...(images ? ['--images', images] : []),
    ],
    { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
  );
  if (result.status !== 0) throw new Error(`the export child failed (${result.status})`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as ChildResult;
}

function timed(command: string, argv: string[], stdoutFile?: string): number {
  const fd = stdoutFile ? fs.openSync(stdoutFile, 'w') : 'ignore';
  const start = performance.now();
  const result = spawnSync(command, argv, { stdio: ['ignore', fd, 'inherit'] });
  const seconds = (performance.now() - start) / 1000;
  if (typeof fd === 'number') fs.closeSync(fd);
  if (result.status !== 0) throw new Error(`${command} ${argv.join(' ')} failed (${result.status})`);
  return seconds;
}

/** Bytes of disk the files under `dir` take, leaving out files that are (links to) `exclude`'s inodes. */
function diskBytes(dir: string, exclude: Set<number> = new Set()): number {
  let bytes = 0;
  for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const stats = fs.lstatSync(path.join(dir, name));
    if (stats.isFile() && !exclude.has(stats.ino)) bytes += stats.blocks * 512;
  }
  return bytes;
}

const rate = (n: number, seconds: number) => Math.round(n / seconds);
const fmt = (n: number) => n.toLocaleString('en-US');
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

/** The top functions of a .cpuprofile by self time. */
function topFunctions(file: string, count = 15): { name: string; selfMs: number; share: number }[] {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    samples: number[];
    timeDeltas: number[];
  };
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byName = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^.*\/work\/main\//, '').replace(/^file:\/\//, '')}:${lineNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'} ${where}`.trim();
    byName.set(name, (byName.get(name) ?? 0) + (self.get(node.id) ?? 0));
  }
  const total = [...byName.values()].reduce((a, b) => a + b, 0);
  return [...byName]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => ({ name, selfMs: Math.round(us / 1000), share: us / total }));
}

/** The markdown table of a child's CPU profile (the top functions by self time), also kept in the report. */
function profileTable(dir: string, report: Record<string, unknown>, key: string): string[] {
  const file = path.join(
    dir,
    fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!,
  );
  const top = topFunctions(file);
  report[key] = { file, top };
  return [
    `Profile (${path.relative(REPO, file)}), top self time:`,
    '',
    '| function | self ms | share |',
    '| --- | ---: | ---: |',
    ...top.map((t) => `| \`${t.name}\` | ${fmt(t.selfMs)} | ${(t.share * 100).toFixed(1)}% |`),
    '',
  ];
}

/** A layout of `n` items, each with its own input and output PNG of `bytes` bytes. */
function filesLayout(dir: string, n: number, bytes: number): string {
  const root = path.join(dir, 'gpt-edit');
  const task = path.join(root, 'omniedit', 'bench');
  for (const sub of ['input', 'output', 'metadata']) fs.mkdirSync(path.join(task, sub), { recursive: true });
  const records = [];
  for (let i = 0; i < n; i++) {
    const name = `${String(i).padStart(8, '0')}.png`;
    fs.writeFileSync(path.join(task, 'input', name), distinctPng(2 * i, bytes));
    fs.writeFileSync(path.join(task, 'output', name), distinctPng(2 * i + 1, bytes));
    records.push({
      id: `omniedit_bench_${String(i).padStart(8, '0')}`,
      dataset_source: 'omniedit',
      task: 'bench',
      input: `input/${name}`,
      output: `output/${name}`,
      instruction: `Edit number ${i}.`,
      instruction_type: 'original',
    });
  }
  fs.writeFileSync(path.join(task, 'metadata', 'omniedit_bench.json'), JSON.stringify(records));
  return root;
}

async function main() {
  const items = Number(args.items);
  const fileItems = Number(args['file-items']);
  const pngBytes = Number(args['png-bytes']);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-bench-export-'));
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const report: Record<string, unknown> = { items, fileItems, pngBytes, load: os.loadavg(), at: new Date().toISOString() };
  const lines: string[] = [];
  try {
    // 1. jsonl --images none over N items, against sqlite3 -json.
    const template = await templateDb(items, 0);
    const dbFile = path.join(work, 'loupe.db');
    fs.copyFileSync(template.file, dbFile);
    log(`sqlite3 -json over ${fmt(items)} items...`);
    const cliSeconds = timed('sqlite3', ['-json', dbFile, 'SELECT * FROM items'], path.join(work, 'sqlite3.json'));
    const cliBytes = fs.statSync(path.join(work, 'sqlite3.json')).size;
    fs.rmSync(path.join(work, 'sqlite3.json'));
    const profileDir = args.profile ? path.join(OUT_DIR, `export-profile-${stamp}`) : undefined;
    let inLayout: ChildResult | undefined;
    if (!args['skip-layout']) {
      log(`Loupe jsonl --images none over ${fmt(items)} items, images in a dataset folder...`);
      inLayout = runExport(dbFile, path.join(work, 'none-layout'), 'jsonl', 'none');
      fs.rmSync(path.join(work, 'none-layout'), { recursive: true, force: true });
    }
    log('the images moved into the content-addressed store...');
    intoStore(dbFile);
    log(`Loupe jsonl --images none over ${fmt(items)} items, images in the store...`);
    const none = runExport(dbFile, path.join(work, 'none'), 'jsonl', 'none', profileDir);
    if (none.items !== items || (inLayout && inLayout.items !== items)) throw new Error(`exported ${none.items} items, expected ${items}`);
    const noneRate = rate(items, none.seconds);
    const cliRate = rate(items, cliSeconds);
    report.jsonlNone = {
      store: { ...none, rowsPerSecond: noneRate },
      layout: inLayout && { ...inLayout, rowsPerSecond: rate(items, inLayout.seconds) },
      sqlite3: { seconds: cliSeconds, rowsPerSecond: cliRate, bytes: cliBytes },
    };
    lines.push(
      `## jsonl, --images none, ${fmt(items)} items (status all)`,
      '',
      '| run | seconds | rows/s | ratio to sqlite3 | output MB | peak RSS MB |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      `| \`sqlite3 -json\` over items (baseline) | ${cliSeconds.toFixed(1)} | ${fmt(cliRate)} | 1 | ${mb(cliBytes)} | – |`,
      `| Loupe, images in Loupe's store (as a tarball import leaves them) | ${none.seconds.toFixed(1)} | **${fmt(noneRate)}** | **${(noneRate / cliRate).toFixed(2)}** | ${mb(none.bytes)} | **${none.maxRssMb.toFixed(0)}** |`,
      ...(inLayout
        ? [
            `| Loupe, images in a dataset folder (each checked and hashed) | ${inLayout.seconds.toFixed(1)} | ${fmt(rate(items, inLayout.seconds))} | ${(rate(items, inLayout.seconds) / cliRate).toFixed(2)} | ${mb(inLayout.bytes)} | ${inLayout.maxRssMb.toFixed(0)} |`,
          ]
        : []),
      '',
      `Goal (store): >= 100,000 rows/s (${noneRate >= 100_000 ? 'met' : 'not met'}) and RSS < 300 MB (${none.maxRssMb < 300 ? 'met' : 'not met'}).`,
      '',
    );
    fs.rmSync(path.join(work, 'none'), { recursive: true, force: true });
    fs.rmSync(dbFile);
    if (profileDir) lines.push(...profileTable(profileDir, report, 'profile'));

    // 2. copy vs link, and 3. WebDataset vs tar, over M items with their own images.
    log(`a layout of ${fmt(fileItems)} items with their own ${fmt(pngBytes)}-byte PNGs...`);
    const layout = filesLayout(path.join(work, 'layout'), fileItems, pngBytes);
    const filesDb = path.join(work, 'files.db');
    const db = openDb(filesDb);
    await importGptEdit(db, layout, { dataset: 'bench-export' });
    db.$client.pragma('wal_checkpoint(TRUNCATE)');
    db.$client.close();
    const imported = new Set((fs.readdirSync(layout, { recursive: true }) as string[]).map((f) => fs.lstatSync(path.join(layout, f)).ino));

    const modes: Record<string, ChildResult & { diskBytes: number }> = {};
    for (const images of ['copy', 'link'] as const) {
      log(`jsonl --images ${images}...`);
      const out = path.join(work, `jsonl-${images}`);
      const result = runExport(filesDb, out, 'jsonl', images);
      modes[images] = { ...result, diskBytes: diskBytes(out, imported) };
      fs.rmSync(out, { recursive: true, force: true });
    }
    report.copyVsLink = modes;
    lines.push(
      `## jsonl with images, ${fmt(fileItems)} items, own ${fmt(pngBytes)}-byte PNGs`,
      '',
      '| --images | seconds | rows/s | disk added MB | estimated MB | peak RSS MB |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...(['copy', 'link'] as const).map(
        (m) =>
          `| ${m} | ${modes[m].seconds.toFixed(2)} | ${fmt(rate(fileItems, modes[m].seconds))} | ${mb(modes[m].diskBytes)} | ${mb(modes[m].estimatedBytes)} | ${modes[m].maxRssMb.toFixed(0)} |`,
      ),
      '',
      `link / copy: ${(modes.copy.seconds / modes.link.seconds).toFixed(2)}x the rate, ${((modes.link.diskBytes / modes.copy.diskBytes) * 100).toFixed(1)}% of the disk.`,
      '',
    );

    log('webdataset...');
    const wdsOut = path.join(work, 'wds');
    const wdsProfileDir = profileDir && `${profileDir}-webdataset`;
    const wds = runExport(filesDb, wdsOut, 'webdataset', undefined, wdsProfileDir);
    const members = path.join(work, 'members');
    fs.mkdirSync(members);
    for (const shard of fs.readdirSync(wdsOut).filter((f) => f.endsWith('.tar')))
      timed('tar', ['-xf', path.join(wdsOut, shard), '-C', members]);
    const tarSeconds = timed('tar', ['-cf', path.join(work, 'baseline.tar'), '-C', members, '.']);
    const tarBytes = fs.statSync(path.join(work, 'baseline.tar')).size;
    report.webdataset = { ...wds, tar: { seconds: tarSeconds, bytes: tarBytes } };
    const wdsMbps = wds.bytes / 1e6 / wds.seconds;
    const tarMbps = tarBytes / 1e6 / tarSeconds;
    lines.push(
      `## WebDataset with images, ${fmt(fileItems)} items`,
      '',
      '| run | seconds | MB written | MB/s |',
      '| --- | ---: | ---: | ---: |',
      `| GNU \`tar -cf\` of the same members (baseline) | ${tarSeconds.toFixed(2)} | ${mb(tarBytes)} | ${tarMbps.toFixed(1)} |`,
      `| Loupe \`export --format webdataset\` | ${wds.seconds.toFixed(2)} | ${mb(wds.bytes)} | ${wdsMbps.toFixed(1)} |`,
      '',
      `Ratio Loupe / tar = **${(wdsMbps / tarMbps).toFixed(2)}** (goal >= 0.8).`,
      '',
    );
    if (wdsProfileDir) lines.push(...profileTable(wdsProfileDir, report, 'webdatasetProfile'));
  } finally {
    if (!args.keep) fs.rmSync(work, { recursive: true, force: true });
    else log(`kept ${work}`);
  }
  const text = [
    `# bench:export (${new Date().toISOString()}, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')})`,
    '',
    ...lines,
  ].join('\n');
  process.stdout.write(text + '\n');
  fs.writeFileSync(path.join(OUT_DIR, `export-${stamp}.json`), JSON.stringify(report, null, 2));
}

await (args.child ? child() : main());
