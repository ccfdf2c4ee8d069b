import { parseArgs } from 'node:util';
import { getDb } from '@/db';
import { resolveFormatOf, UnknownFormatError } from '@/lib/import/formats';
import { NothingToImportError } from '@/lib/import/import-gpt-edit';
import { moreProblems } from '@/lib/import/problems';
import { testPause } from '@/lib/runs/test-pause';
import { buildSearchIndex } from '@/lib/search/build';
import { ProgressBar } from './progress';

export async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      dataset: { type: 'string' },
      format: { type: 'string' },
      json: { type: 'boolean', default: false },
      // Column mapping of the generic jsonl / csv formats.
      'source-col': { type: 'string' },
      'edited-col': { type: 'string' },
      'instruction-col': { type: 'string' },
      'id-col': { type: 'string' },
      'extra-cols': { type: 'string' },
    },
  });
  // Several paths only as the parts of split tarballs (resolveFormatOf says so otherwise).
  if (positionals.length === 0) throw new Error('import needs a PATH (see --help)');

  const bar = new ProgressBar('import');
  try {
    const { run } = await resolveFormatOf(positionals, values.format);
    const started = Date.now();
    const summary = await run(getDb(), {
      dataset: values.dataset,
      columns: {
        source: values['source-col'],
        edited: values['edited-col'],
        instruction: values['instruction-col'],
        id: values['id-col'],
        extra: values['extra-cols']
          ?.split(',')
          .map((c) => c.trim())
          .filter(Boolean),
      },
      onProgress: (p) => {
        bar.update(p.bytesRead, p.bytesTotal, progressDetail(p, Date.now() - started));
        testPause();
      },
    });
    bar.finish(
      `Imported ${summary.imported} into dataset "${summary.dataset}", ${summary.alreadyPresent} already present, ${summary.skipped} skipped`,
    );
    await indexForSearch();
    if (values.json) {
      process.stdout.write(JSON.stringify(summary) + '\n');
    } else {
      for (const p of summary.problems) {
        process.stderr.write(`  skipped ${p.file}${p.record !== undefined ? ` [${p.record}]` : ''}: ${p.reason}\n`);
      }
      if (summary.moreProblems > 0)
        process.stderr.write(`  ... ${moreProblems(summary.moreProblems)} (the first ${summary.problems.length} are listed)\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof NothingToImportError || error instanceof UnknownFormatError) {
      process.stderr.write(`loupe import: ${error.message}\n`);
      if (values.json) process.stdout.write(JSON.stringify({ error: error.message }) + '\n');
      return 1;
    }
    throw error;
  }
}

/** "1.2 GiB of 5.0 GiB, 12,000 records, ETA 3m 20s": bytes read, records, and the time left at the rate so far. */
export function progressDetail(p: { bytesRead: number; bytesTotal: number; records: number }, elapsedMs: number): string {
  const parts = [`${size(p.bytesRead)} of ${size(p.bytesTotal)}`, `${p.records.toLocaleString('en-US')} records`];
  if (p.bytesRead > 0 && elapsedMs >= 1000 && p.bytesRead < p.bytesTotal) {
    const seconds = Math.round(((p.bytesTotal - p.bytesRead) * elapsedMs) / p.bytesRead / 1000);
    parts.push(
      `ETA ${seconds >= 3600 ? `${Math.floor(seconds / 3600)}h ` : ''}${seconds >= 60 ? `${Math.floor((seconds % 3600) / 60)}m ` : ''}${seconds % 60}s`,
    );
  }
  return parts.join(', ');
}

/** 1536 -> "1.5 KiB", 5e12 -> "4.5 TiB": one decimal below 100. */
function size(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** Indexes the imported items for search, after the import (a server does it too; whichever comes first, no item twice). */
async function indexForSearch() {
  const bar = new ProgressBar('search index');
  const { indexed, seconds } = await buildSearchIndex(getDb(), {
    onProgress: (s) => {
      bar.update(s.indexed, s.total);
      testPause();
    },
  });
  bar.finish(`Search index: ${indexed.toLocaleString('en-US')} items indexed in ${seconds.toFixed(1)} s`);
}
