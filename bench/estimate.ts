/**
 * How long the batch form's estimate takes at the release's size:
 * `npx tsx bench/estimate.ts [--items N=1500000] [--repeat K=5] [--fresh]`.
 *
 * The database is bench:load's cached template of N items (bench/load-db.ts; built once, several
 * minutes at 1.5M), copied once to <tmp>/loupe-bench-estimate/items-N/loupe.db, where one item in ten is
 * then marked accepted and one in twenty rejected (so a status filter is not the whole dataset).
 * `--fresh` copies it again.
 *
 * For each filter and kind: `estimateBatch` (the first call, which may count items imported since the
 * last one, and the median of K more), against the baseline measured in the same run: the same
 * grouping as one scan over the matching items (`SELECT <group>, count(*) FROM items WHERE <filter>
 * GROUP BY 1`, what estimateBatch ran before item_size_counts). Both answers must agree.
 * Markdown on stdout, JSON in bench/out/estimate-<date>.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { openDb, type Db } from '@/db';
import { BUCKET_SQL, estimateBatch, type BatchFilter } from '@/lib/batches/batch';
import { filterSql } from '@/lib/filter/filter';
import { kindOf, type BatchKind } from '@/lib/jobs/kinds';
import { openaiConfig } from '@/lib/openai/config';
import { templateDb } from './load-db';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    items: { type: 'string', default: '1500000' },
    repeat: { type: 'string', default: '5' },
    fresh: { type: 'boolean', default: false },
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
  const kinds: BatchKind[] = ['regenerate', 'judge', 'rewrite'];
  const results = [];
  for (const [name, filter] of filters) {
    for (const kind of kinds) {
      const baseline = [];
      let expected = 0;
      for (let i = 0; i < repeat; i++) {
        const { ms, value } = time(() => scan(raw, kind, filter));
        baseline.push(ms);
        expected = [...value.values()].reduce((a, b) => a + b, 0);
      }
      const first = time(() => estimateBatch(db, config, { kind, filter }));
      const after = [];
      for (let i = 0; i < repeat; i++) after.push(time(() => estimateBatch(db, config, { kind, filter })).ms);
      const answer = first.value.items + first.value.skippedActive;
      if (answer !== expected) throw new Error(`${name}, ${kind}: estimateBatch counts ${answer}, the scan ${expected}`);
      const result = { filter: name, kind, items: expected, baselineMs: median(baseline), firstMs: first.ms, estimateMs: median(after) };
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
    '| Filter | Kind | Items | Scan ms (baseline) | estimateBatch first call ms | estimateBatch ms | Ratio estimate/scan |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.filter} | ${r.kind} | ${r.items.toLocaleString('en-US')} | ${f(r.baselineMs)} | ${f(r.firstMs)} | ` +
        `**${f(r.estimateMs)}** ${r.estimateMs < 200 ? '✅' : '❌'} | ${(r.estimateMs / r.baselineMs).toFixed(3)} |`,
    ),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  const outDir = path.join(BENCH_DIR, 'out');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `estimate-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), items, repeat, load: os.loadavg(), results }, null, 2) + '\n');
  log(`wrote ${path.relative(process.cwd(), file)}`);
  raw.close();
  db.$client.close();
}

if (args.help) {
  process.stdout.write('Usage: npx tsx bench/estimate.ts [--items 1500000] [--repeat 5] [--fresh]\n');
} else {
  await main();
}
