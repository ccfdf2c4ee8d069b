import { parseArgs } from 'node:util';
import { getDb } from '@/db';
import { resolveFormat, UnknownFormatError } from '@/lib/import/formats';
import { NothingToImportError } from '@/lib/import/import-gpt-edit';
import { moreProblems } from '@/lib/import/problems';
import { testPause } from '@/lib/runs/test-pause';
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
  if (positionals.length !== 1) throw new Error('import needs exactly one PATH (see --help)');

  const bar = new ProgressBar('import');
  try {
    const format = await resolveFormat(positionals[0], values.format);
    const summary = await format.run(getDb(), positionals[0], {
      dataset: values.dataset,
      columns: {
        source: values['source-col'],
        edited: values['edited-col'],
        instruction: values['instruction-col'],
        id: values['id-col'],
        extra: values['extra-cols']?.split(',').map((c) => c.trim()).filter(Boolean),
      },
      onProgress: (p) => {
        bar.update(p.bytesRead, p.bytesTotal, `${p.records.toLocaleString('en-US')} records`);
        testPause();
      },
    });
    bar.finish(
      `Imported ${summary.imported} into dataset "${summary.dataset}", ${summary.alreadyPresent} already present, ${summary.skipped} skipped`,
    );
    if (values.json) {
      process.stdout.write(JSON.stringify(summary) + '\n');
    } else {
      for (const p of summary.problems) {
        process.stderr.write(`  skipped ${p.file}${p.record !== undefined ? ` [${p.record}]` : ''}: ${p.reason}\n`);
      }
      if (summary.moreProblems > 0) process.stderr.write(`  ... ${moreProblems(summary.moreProblems)} (the first ${summary.problems.length} are listed)\n`);
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
