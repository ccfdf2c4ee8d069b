/**
 * Imports every part of an adversarial corpus (make-corpus.ts) the way the CLI does (format
 * auto-detection, then the format's importer) into a fresh database, and prints one JSON
 * object: each part's summary or error, and this process's peak resident memory.
 *
 *   npx tsx lib/import/adversarial/import-corpus.ts CORPUS_DIR DB_FILE
 *
 * Run in its own process by corpus.test.ts, so the peak memory is the import's alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openDb } from '@/db';
import { resolveFormat } from '../formats';
import type { Corpus } from './make-corpus';

export interface CorpusRun {
  results: Record<string, { format: string; imported: string[]; problems: unknown[]; skipped: number } | { error: string }>;
  /** process.resourceUsage().maxRSS at the end, in MiB. */
  maxRssMb: number;
}

const [corpusDir, dbFile] = process.argv.slice(2);
if (!corpusDir || !dbFile) {
  process.stderr.write('usage: npx tsx lib/import/adversarial/import-corpus.ts CORPUS_DIR DB_FILE\n');
  process.exit(2);
}
const corpus = JSON.parse(fs.readFileSync(path.join(corpusDir, 'expected.json'), 'utf8')) as Corpus;
const db = openDb(dbFile);
const run: CorpusRun = { results: {}, maxRssMb: 0 };
for (const [name, expected] of Object.entries(corpus.imports)) {
  const target = path.join(corpusDir, expected.path);
  try {
    const format = await resolveFormat(target);
    const summary = await format.run(db, target, { dataset: name });
    const imported = db.$client
      .prepare('SELECT external_id FROM items WHERE dataset_id = ? ORDER BY external_id')
      .pluck()
      .all(summary.datasetId) as string[];
    run.results[name] = { format: format.name, imported, problems: summary.problems, skipped: summary.skipped };
  } catch (error) {
    run.results[name] = { error: (error as Error).message };
  }
}
db.$client.close();
run.maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024); // maxRSS is in KiB
process.stdout.write(JSON.stringify(run) + '\n');
