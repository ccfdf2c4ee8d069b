import { parseArgs } from 'node:util';
import { getDb } from '@/db';
import { getDatasetByName } from '@/lib/datasets';
import { ExportError, exportGptEdit, type ExportStatus } from '@/lib/export/gpt-edit';
import { ProgressBar } from './progress';

const FORMATS = ['gpt-edit'];
const STATUSES: ExportStatus[] = ['accepted', 'rejected', 'pending', 'all'];

export async function exportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      format: { type: 'string', default: 'gpt-edit' },
      dataset: { type: 'string' },
      status: { type: 'string', default: 'accepted' },
      family: { type: 'string' },
      task: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length) throw new Error(`unexpected argument ${positionals[0]} (the folder goes after --out)`);
  if (!values.out) throw new Error('export needs --out DIR (see --help)');
  if (!FORMATS.includes(values.format!)) throw new Error(`unknown format ${values.format} (known: ${FORMATS.join(', ')})`);
  const status = values.status as ExportStatus;
  if (!STATUSES.includes(status)) throw new Error(`unknown status ${values.status} (known: ${STATUSES.join(', ')})`);

  // Errors the user can fix (a wrong name, an unsafe folder): one clear line, exit 1.
  const fail = (message: string) => {
    process.stderr.write(`loupe export: ${message}\n`);
    if (values.json) process.stdout.write(JSON.stringify({ error: message }) + '\n');
    return 1;
  };

  const db = getDb();
  let datasetId: number | undefined;
  if (values.dataset !== undefined) {
    datasetId = getDatasetByName(db, values.dataset)?.id;
    if (datasetId === undefined) return fail(`no dataset named "${values.dataset}"`);
  }

  const bar = new ProgressBar('export');
  try {
    const summary = await exportGptEdit(db, {
      out: values.out,
      status,
      datasetId,
      family: values.family,
      task: values.task,
      onProgress: (done, total) => bar.update(done, total, `${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} items`),
    });
    bar.finish(`Exported ${summary.items} items (${summary.files} files) to ${summary.out}, ${summary.skipped} skipped`);
    if (values.json) {
      process.stdout.write(JSON.stringify(summary) + '\n');
    } else {
      for (const p of summary.problems) process.stderr.write(`  skipped ${p.item}: ${p.reason}\n`);
      if (summary.skipped > summary.problems.length) {
        process.stderr.write(`  ... and ${summary.skipped - summary.problems.length} more\n`);
      }
    }
    return 0;
  } catch (error) {
    if (error instanceof ExportError) return fail(error.message);
    throw error;
  }
}
