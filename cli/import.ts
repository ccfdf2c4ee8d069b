import { parseArgs } from 'node:util';
import { getDb } from '@/db';
import { importGptEdit, NothingToImportError } from '@/lib/import/import-gpt-edit';
import { ProgressBar } from './progress';

const FORMATS = ['gpt-edit'];

export async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      dataset: { type: 'string' },
      format: { type: 'string', default: 'gpt-edit' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new Error('import needs exactly one PATH (see --help)');
  if (!FORMATS.includes(values.format!)) throw new Error(`unknown format ${values.format} (known: ${FORMATS.join(', ')})`);

  const bar = new ProgressBar('import');
  try {
    const summary = await importGptEdit(getDb(), positionals[0], {
      dataset: values.dataset,
      onProgress: (p) => bar.update(p.bytesRead, p.bytesTotal, `${p.records.toLocaleString('en-US')} records`),
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
    }
    return 0;
  } catch (error) {
    if (error instanceof NothingToImportError) {
      process.stderr.write(`loupe import: ${error.message}\n`);
      if (values.json) process.stdout.write(JSON.stringify({ error: error.message }) + '\n');
      return 1;
    }
    throw error;
  }
}
