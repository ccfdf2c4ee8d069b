import { parseArgs } from 'node:util';
import { getDb } from '@/db';
import { getDatasetByName } from '@/lib/datasets';
import { exportItems } from '@/lib/export';
import { EXPORT_FORMATS, IMAGE_MODES, type ExportFormat, type ImageMode } from '@/lib/export/formats';
import { formatBytes, NotEnoughSpace, spaceLine } from '@/lib/export/space';
import { ExportError, type ExportStatus } from '@/lib/export/selection';
import { DEFAULT_SHARD_SIZE_MB } from '@/lib/export/shards';
import { extraFilterSchema } from '@/lib/filter/filter';
import { cleanExport, resumeExport } from '@/lib/export/resume';
import { testPause } from '@/lib/runs/test-pause';
import { ProgressBar } from './progress';
import { EXTRA_FILTER_OPTIONS, extraFilterInput, filterProblem } from './filter-options';

const STATUSES: ExportStatus[] = ['accepted', 'rejected', 'pending', 'all'];
const SHARDED: ExportFormat[] = ['parquet', 'webdataset'];

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
      type: { type: 'string' },
      task: { type: 'string' },
      // The shared filter's other terms (lib/filter/filter.ts), as on the dataset page.
      ...EXTRA_FILTER_OPTIONS,
      'shard-size-mb': { type: 'string' },
      'need-weight': { type: 'boolean', default: false },
      // copy, link or none (default: link when the images and --out share a filesystem, else copy).
      images: { type: 'string' },
      json: { type: 'boolean', default: false },
      // An export cut off part-way (interrupted or failed): write it again, or delete its partial output.
      resume: { type: 'string' },
      clean: { type: 'string' },
    },
  });
  if (values.resume !== undefined || values.clean !== undefined) return unfinishedExport(args, values);
  if (positionals.length) throw new Error(`unexpected argument ${positionals[0]} (the folder goes after --out)`);
  if (!values.out) throw new Error('export needs --out DIR (see --help)');
  const format = values.format as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) throw new Error(`unknown format ${values.format} (known: ${EXPORT_FORMATS.join(', ')})`);
  const status = values.status as ExportStatus;
  if (!STATUSES.includes(status)) throw new Error(`unknown status ${values.status} (known: ${STATUSES.join(', ')})`);
  let shardSizeMb: number | undefined;
  if (values['shard-size-mb'] !== undefined) {
    if (!SHARDED.includes(format)) throw new Error(`--shard-size-mb applies to ${SHARDED.join(' and ')} only`);
    shardSizeMb = Number(values['shard-size-mb']);
    if (!(shardSizeMb > 0)) throw new Error(`--shard-size-mb must be a positive number (default ${DEFAULT_SHARD_SIZE_MB})`);
  }
  if (values['need-weight'] && format !== 'gpt-image-edit-training')
    throw new Error('--need-weight applies to gpt-image-edit-training only');
  const extra = extraFilterSchema.safeParse(extraFilterInput(values));
  if (!extra.success) throw new Error(filterProblem(extra.error));
  const images = values.images as ImageMode | undefined;
  if (images !== undefined && !IMAGE_MODES.includes(images))
    throw new Error(`unknown --images ${values.images} (known: ${IMAGE_MODES.join(', ')})`);

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
    const summary = await exportItems(db, format, {
      out: values.out,
      status,
      datasetId,
      family: values.family,
      task: values.task,
      instructionType: parseInstructionType(values.type),
      ...extra.data,
      shardSizeMb,
      needWeight: values['need-weight'],
      images,
      createdBy: `cli:${process.env.USER ?? 'loupe'}`,
      onPlan: (plan) => {
        const how =
          plan.images === 'embedded'
            ? 'images embedded'
            : plan.images === 'none'
              ? 'images not written (store references)'
              : `images ${plan.images === 'link' ? 'hard-linked' : 'copied'}`;
        process.stderr.write(
          `Export as ${format}, ${how}${plan.note ? ` (${plan.note})` : ''}: ${values.out!.startsWith('s3://') ? `about ${formatBytes(plan.estimatedBytes)} to upload to ${values.out}` : spaceLine(values.out!, plan)}\n`,
        );
      },
      onProgress: (done, total) => {
        bar.update(done, total, `${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} items`);
        testPause();
      },
    });
    bar.finish(`Exported ${summary.items} items (${summary.files} files) as ${format} to ${summary.out}, ${summary.skipped} skipped`);
    for (const notice of summary.notices.slice(1)) process.stderr.write(`  ${notice}\n`);
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
    // Refused before writing: say the figures, then exit 28 as for a full disk (cli/loupe.ts).
    if (error instanceof Error && error.cause instanceof NotEnoughSpace) process.stderr.write(`loupe export: ${error.cause.message}\n`);
    throw error;
  }
}

/** `export --resume ID` or `export --clean ID`: nothing else may be given (the run recorded its selection). */
async function unfinishedExport(args: string[], values: { resume?: string; clean?: string; json: boolean }): Promise<number> {
  const fail = (message: string) => {
    process.stderr.write(`loupe export: ${message}\n`);
    if (values.json) process.stdout.write(JSON.stringify({ error: message }) + '\n');
    return 1;
  };
  const extra = args.filter((arg) => !/^--(resume|clean|json)(=|$)/.test(arg) && arg !== values.resume && arg !== values.clean);
  if (values.resume !== undefined && values.clean !== undefined) return fail('give --resume or --clean, not both');
  if (extra.length) return fail(`--resume and --clean take only an export id (and --json), not ${extra[0]}`);
  const text = (values.resume ?? values.clean)!;
  if (!/^[1-9]\d*$/.test(text)) return fail(`an export id is a positive integer, not ${JSON.stringify(text)}`);
  const id = Number(text);
  const db = getDb();
  try {
    if (values.clean !== undefined) {
      const { out, folderRemoved } = await cleanExport(db, id);
      process.stderr.write(`Deleted the partial output of export ${id} in ${out}${folderRemoved ? ' (and the emptied folder)' : ''}\n`);
      if (values.json) process.stdout.write(JSON.stringify({ exportId: id, cleaned: true, out, folderRemoved }) + '\n');
      return 0;
    }
    const bar = new ProgressBar('export');
    const summary = await resumeExport(db, id, {
      createdBy: `cli:${process.env.USER ?? 'loupe'}`,
      onProgress: (done, total) => {
        bar.update(done, total, `${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} items`);
        testPause();
      },
    });
    if (!summary.optionsRecovered)
      process.stderr.write(`  (its format options could not be read from the folder: the defaults were used)\n`);
    bar.finish(
      `Resumed export ${id} as export ${summary.exportId}: ${summary.items} items (${summary.files} files) to ${summary.out}, ${summary.skipped} skipped`,
    );
    if (values.json) process.stdout.write(JSON.stringify({ ...summary, resumed: id }) + '\n');
    return 0;
  } catch (error) {
    if (error instanceof ExportError) return fail(error.message);
    throw error;
  }
}

function parseInstructionType(value: string | undefined): 'original' | 'rewrite' | 'complex' | undefined {
  if (value === undefined) return undefined;
  if (value === 'original' || value === 'rewrite' || value === 'complex') return value;
  throw new Error(`unknown --type ${value} (original, rewrite or complex)`);
}
