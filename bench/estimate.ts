/**
 * How long the batch form's estimate takes at the release's size:
 * `npx tsx bench/estimate.ts [--items N=1500000] [--repeat K=5] [--fresh] [--filters a,b] [--kinds a,b]`.
 *
 * The database is bench:load's cached template of N items (bench/load-db.ts; built once, several
 * minutes at 1.5M), copied once to <tmp>/loupe-bench-estimate/items-N/loupe.db, where one item in ten is
 * then marked accepted and one in twenty rejected (so a status filter is not the whole dataset).
 * `--fresh` copies it again.
 *
 * First, after an import of every item (see catchUp): the background counting of item_size_counts,
 * its longest write transaction and how long a writer thread waited behind it, and the first estimate
 * before any counting. Then, for each filter and kind: `estimateBatch` (the first call and the median
 * of K more), against baselines measured in the same run: the same grouping as one scan over the
 * matching items (`SELECT <group>, count(*) FROM items WHERE <filter> GROUP BY 1`, what estimateBatch
 * ran before item_size_counts; both answers must agree), `SELECT count(*) FROM items`, and for a text
 * filter the substring scan of the instruction texts alone (its floor).
 * Markdown on stdout, JSON in bench/out/estimate-<date>.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { openDb, type Db } from '@/db';
import { BUCKET_SQL, estimateBatch, type BatchFilter } from '@/lib/batches/batch';
import { catchUpSizeCounts } from '@/lib/batches/size-counts';
import { filterSql } from '@/lib/filter/filter';
import { kindOf, type BatchKind } from '@/lib/jobs/kinds';
import { openaiConfig, type OpenAIConfig } from '@/lib/openai/config';
import { templateDb } from './load-db';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    items: { type: 'string', default: '1500000' },
    repeat: { type: 'string', default: '5' },
    fresh: { type: 'boolean', default: false },
    /** Skip the "first estimate after importing every item" scenario. */
    'no-catch-up': { type: 'boolean', default: false },
    /** Only the filters whose name contains one of these (comma-separated), e.g. `text`. */
    filters: { type: 'string' },
    /** Only these kinds (comma-separated). */
    kinds: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const log = (message: string) => process.stderr.write(`[bench:estimate] ${message}\n`);

async function database(items: number): Promise<{ db: Db; datasetId: number }> {
  const dir = path.join(os.tmpdir(), 'loupe-bench-estimate', `items-${items}`);
  const file = path.join(dir, 'loupe.db');
  if (args.fresh || !fs.existsSync(file)) {
    const template = await templateDb(items, 0);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    log(`copying ${template.file}...`);
    fs.copyFileSync(template.file, file);
    const db = openDb(file);
    const datasetId = template.datasetId;
    db.$client.transaction(() => {
      db.$client.prepare(`UPDATE items SET status = 'accepted' WHERE dataset_id = ? AND id % 10 = 0`).run(datasetId);
      db.$client.prepare(`UPDATE items SET status = 'rejected' WHERE dataset_id = ? AND id % 20 = 1`).run(datasetId);
    })();
    return { db, datasetId };
  }
  const db = openDb(file);
  return { db, datasetId: db.$client.prepare('SELECT id FROM datasets ORDER BY id LIMIT 1').pluck().get() as number };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function time<T>(run: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = run();
  return { ms: performance.now() - start, value };
}

/** The baseline: the estimate's grouping as one scan over the matching items (on its own read-only connection). */
function scan(raw: Database.Database, kind: BatchKind, filter: BatchFilter): Map<string, number> {
  const group = kindOf(kind)!.costDependsOn === 'size' ? `source_width || 'x' || source_height` : BUCKET_SQL;
  const { where, params } = filterSql(filter, filter.status);
  const rows = raw.prepare(`SELECT ${group} AS g, count(*) AS n FROM items WHERE ${where} GROUP BY 1`).all(...params) as {
    g: string;
    n: number;
  }[];
  return new Map(rows.map((row) => [row.g, row.n]));
}

/** A text filter's floor: the substring scan of the instruction texts alone, the part no grouping can avoid. */
function textScan(raw: Database.Database, text: string): number {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return raw.prepare(`SELECT count(*) FROM instruction_versions WHERE text LIKE ? ESCAPE '\\'`).pluck().get(pattern) as number;
}

/*
 * A writer on its own thread and connection, as a job worker or the importer would be: every
 * 10 ms it takes the write lock (BEGIN IMMEDIATE, a harmless update) and records how long it
 * waited for it, until told to stop. Its longest wait is how long a verdict would wait behind
 * the estimate's catch-up.
 */
const WRITER = `
  const { parentPort, workerData } = require('node:worker_threads');
  const Database = require('better-sqlite3');
  const db = new Database(workerData.file, { timeout: 600000 });
  const touch = db.prepare('UPDATE datasets SET name = name WHERE id = ?');
  let stop = false;
  const waits = [];
  parentPort.on('message', () => { stop = true; });
  const tick = () => {
    if (stop) { db.close(); parentPort.postMessage(waits); return; }
    const start = performance.now();
    db.exec('BEGIN IMMEDIATE');
    waits.push(performance.now() - start);
    touch.run(workerData.datasetId);
    db.exec('COMMIT');
    setTimeout(tick, 10);
  };
  tick();
`;

const newest = (db: Db) => db.$client.prepare('SELECT max(id) FROM items').pluck().get() as number;
const watermark = (db: Db) => db.$client.prepare('SELECT item_id FROM item_size_watermark WHERE id = 1').pluck().get() as number;
/** As before any estimate: nothing counted (what an import of every item leaves). */
const forgetCounts = (db: Db) => db.$client.exec('DELETE FROM item_size_counts; UPDATE item_size_watermark SET item_id = 0 WHERE id = 1');

/**
 * After an import of every item (item_size_counts emptied, its watermark back to 0):
 * 1. catchUpSizeCounts counts all N items, with a writer thread taking the write lock every 10 ms
 *    meanwhile (its longest wait: how long a verdict would wait behind the catch-up);
 * 2. counts forgotten again, the first estimate: it groups the items above the watermark itself and
 *    starts the catch-up in the background, which the benchmark then waits for.
 */
async function catchUp(db: Db, config: OpenAIConfig, datasetId: number) {
  forgetCounts(db);
  const writer = new Worker(WRITER, { eval: true, workerData: { file: db.$client.name, datasetId } });
  await new Promise((resolve) => setTimeout(resolve, 200)); // the writer is running
  const start = performance.now();
  const counted = await catchUpSizeCounts(db);
  const ms = performance.now() - start;
  await new Promise((resolve) => setTimeout(resolve, 100));
  const waits = await new Promise<number[]>((resolve) => {
    writer.once('message', resolve);
    writer.postMessage('stop');
  });
  await writer.terminate();
  const sorted = [...waits].sort((a, b) => a - b);

  forgetCounts(db);
  const first = time(() => estimateBatch(db, config, { kind: 'regenerate', filter: { datasetId } }));
  const backgroundStart = performance.now();
  while (watermark(db) < newest(db)) await new Promise((resolve) => setTimeout(resolve, 50));
  return {
    ms,
    ...counted,
    writes: waits.length,
    writerWaitMaxMs: sorted.at(-1) ?? 0,
    writerWaitP99Ms: sorted[Math.floor(0.99 * (sorted.length - 1))] ?? 0,
    firstEstimateMs: first.ms,
    firstEstimateItems: first.value.items + first.value.skippedActive,
    backgroundMs: performance.now() - backgroundStart,
  };
}

async function main() {
  const items = Number(args.items);
  const repeat = Number(args.repeat);
  const { db, datasetId } = await database(items);
  const raw = new Database(db.$client.name, { readonly: true });
  const config = openaiConfig({ OPENAI_API_KEY: 'bench' } as unknown as NodeJS.ProcessEnv);
  const someIds = db.$client.prepare('SELECT id FROM items WHERE dataset_id = ? ORDER BY id LIMIT 5000').pluck().all(datasetId) as number[];
  const filters: [string, BatchFilter][] = [
    ['whole dataset', { datasetId }],
    ['status accepted', { datasetId, status: 'accepted' }],
    ['family omniedit', { datasetId, family: 'omniedit' }],
    ['family + task', { datasetId, family: 'omniedit', task: 'style' }],
    ['instruction type', { datasetId, instructionType: 'original' }],
    ['5,000 ids', { datasetId, ids: someIds }],
    ['text "the"', { datasetId, text: 'the' }],
  ];
  const only = (list: string | undefined) => list?.split(',').map((s) => s.trim());
  const wanted = only(args.filters);
  const kinds = (only(args.kinds) ?? ['regenerate', 'judge', 'rewrite']) as BatchKind[];
  const countItems = median(Array.from({ length: repeat + 1 }, () => time(() => raw.prepare('SELECT count(*) FROM items').get()).ms));
  log(`baseline SELECT count(*) FROM items: ${countItems.toFixed(1)} ms`);
  const caughtUp = args['no-catch-up'] ? undefined : await catchUp(db, config, datasetId);
  if (caughtUp) log(`catch-up: ${JSON.stringify(caughtUp)}`);
  const results = [];
  for (const [name, filter] of filters.filter(([name]) => !wanted || wanted.some((w) => name.includes(w)))) {
    for (const kind of kinds) {
      const baseline = [];
      let expected = 0;
      for (let i = 0; i < repeat; i++) {
        const { ms, value } = time(() => scan(raw, kind, filter));
        baseline.push(ms);
        expected = [...value.values()].reduce((a, b) => a + b, 0);
      }
      const floor = [];
      for (let i = 0; filter.text !== undefined && i < repeat; i++) floor.push(time(() => textScan(raw, filter.text!)).ms);
      const first = time(() => estimateBatch(db, config, { kind, filter }));
      const after = [];
      for (let i = 0; i < repeat; i++) after.push(time(() => estimateBatch(db, config, { kind, filter })).ms);
      const answer = first.value.items + first.value.skippedActive;
      if (answer !== expected) throw new Error(`${name}, ${kind}: estimateBatch counts ${answer}, the scan ${expected}`);
      const result = {
        filter: name,
        kind,
        items: expected,
        baselineMs: median(baseline),
        textScanMs: floor.length ? median(floor) : null,
        firstMs: first.ms,
        estimateMs: median(after),
      };
      log(JSON.stringify(result));
      results.push(result);
    }
  }
  const f = (n: number) => n.toFixed(1);
  const lines = [
    `## estimateBatch at ${items.toLocaleString('en-US')} items (median of ${repeat}; baseline: one GROUP BY scan over the matching items, same run)`,
    '',
    `${os.cpus().length} cores, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; goal: under 200 ms for any filter`,
    '',
    `\`SELECT count(*) FROM items\` in the same run: ${f(countItems)} ms. Text scan alone: the substring scan of the ` +
      `instruction texts a text filter needs whatever the grouping (its floor).`,
    '',
    '| Filter | Kind | Items | Scan ms (baseline) | Text scan alone ms | estimateBatch first call ms | estimateBatch ms | Ratio estimate/scan | Ratio estimate/text scan |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.filter} | ${r.kind} | ${r.items.toLocaleString('en-US')} | ${f(r.baselineMs)} | ${r.textScanMs === null ? '' : f(r.textScanMs)} | ` +
        `${f(r.firstMs)} | **${f(r.estimateMs)}** ${r.estimateMs < 200 ? '✅' : '❌'} | ${(r.estimateMs / r.baselineMs).toFixed(3)} | ` +
        `${r.textScanMs === null ? '' : (r.estimateMs / r.textScanMs).toFixed(2)} |`,
    ),
    ...(caughtUp
      ? [
          '',
          `After importing all ${items.toLocaleString('en-US')} items (item_size_counts emptied): catchUpSizeCounts counted them ` +
            `in ${f(caughtUp.ms)} ms, ${caughtUp.transactions} write transactions (longest ${f(caughtUp.longestMs)} ms); ` +
            `a writer thread taking the write lock every 10 ms meanwhile (${caughtUp.writes} writes) waited at most ` +
            `${f(caughtUp.writerWaitMaxMs)} ms (p99 ${f(caughtUp.writerWaitP99Ms)} ms). The first estimate before any counting ` +
            `(whole dataset, grouping the ${caughtUp.firstEstimateItems.toLocaleString('en-US')} uncounted items itself): ` +
            `${f(caughtUp.firstEstimateMs)} ms; the catch-up it started in the background then took ${f(caughtUp.backgroundMs)} ms.`,
        ]
      : []),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  const outDir = path.join(BENCH_DIR, 'out');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `estimate-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify({ date: new Date().toISOString(), items, repeat, load: os.loadavg(), countItems, caughtUp, results }, null, 2) + '\n',
  );
  log(`wrote ${path.relative(process.cwd(), file)}`);
  raw.close();
  db.$client.close();
}

if (args.help) {
  process.stdout.write(
    'Usage: npx tsx bench/estimate.ts [--items 1500000] [--repeat 5] [--fresh] [--filters text,status] [--kinds judge]\n',
  );
} else {
  await main();
}
