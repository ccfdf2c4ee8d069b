import { parseArgs } from 'node:util';
import { getDb } from '@/db';
import { getDatasetByName, listDatasets } from '@/lib/datasets';
import { defaultPreparing, JobWorker } from '@/lib/jobs/worker';
import { API_KINDS, workerKinds } from '@/lib/jobs/worker-kinds';
import { BATCH_KINDS, type BatchKind } from '@/lib/jobs/kinds';
import { batchProgress, estimateBatch, ITEM_STATUSES, startBatch, type BatchEstimate } from '@/lib/batches/batch';
import { BATCH_VIAS, type BatchVia } from '@/lib/batches/via';
import { openaiConfig } from '@/lib/openai/config';
import { listFilterSchema } from '@/lib/filter/filter';
import { ProgressBar } from './progress';
import { EXTRA_FILTER_OPTIONS, extraFilterInput, filterProblem } from './filter-options';
import { LoupeError } from '@/lib/errors';

export const usd = (n: number) => `$${n.toFixed(n < 10 ? 3 : 2)}`;

/** Writes a line to stderr above the progress bar (a terminal's bar is redrawn on its next update). */
export const note = (line: string) => process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[K' : ''}${line}\n`);

/** The path that will run, and why, for the estimate line. */
function pathLine(estimate: BatchEstimate, via: BatchVia): string {
  const why =
    via !== 'auto'
      ? `--via ${via}`
      : `${estimate.items} items ${estimate.path === 'batch' ? '>=' : '<'} LOUPE_BATCH_MIN_ITEMS ${estimate.minBatchItems}`;
  return estimate.path === 'batch'
    ? `path: the OpenAI Batch API (half price, answered within 24 h; ${why})`
    : `path: synchronous calls by the job worker (${why}${via === 'auto' && estimate.batchUsd !== null ? '; --via batch for half price' : ''})`;
}

/**
 * `regenerate`: estimates, starts a batch over a filter, and runs it here until it ends: with a job
 * worker (synchronous path) or with the OpenAI batch driver (Batch API path, `--via`).
 */
export async function regenerateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      dataset: { type: 'string' },
      family: { type: 'string' },
      task: { type: 'string' },
      type: { type: 'string' },
      status: { type: 'string' },
      // The shared filter's other terms (lib/filter/filter.ts), as on the dataset page.
      ...EXTRA_FILTER_OPTIONS,
      kind: { type: 'string', default: 'regenerate' },
      // auto: the OpenAI Batch API from LOUPE_BATCH_MIN_ITEMS items; batch or sync choose.
      via: { type: 'string', default: 'auto' },
      'budget-usd': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const fail = (message: string) => {
    process.stderr.write(`loupe regenerate: ${message}\n`);
    if (values.json) process.stdout.write(JSON.stringify({ error: message }) + '\n');
    return 1;
  };
  if (positionals.length) return fail(`unexpected argument ${positionals[0]}`);
  const kind = values.kind as BatchKind;
  if (!BATCH_KINDS.includes(kind)) return fail(`unknown kind ${values.kind} (known: ${BATCH_KINDS.join(', ')})`);
  const status = values.status as (typeof ITEM_STATUSES)[number] | undefined;
  if (status && !ITEM_STATUSES.includes(status)) return fail(`unknown status ${status} (known: ${ITEM_STATUSES.join(', ')})`);
  const via = values.via as BatchVia;
  if (!BATCH_VIAS.includes(via)) return fail(`unknown --via ${values.via} (known: ${BATCH_VIAS.join(', ')})`);
  const config = openaiConfig();
  if (!values['dry-run'] && !config.OPENAI_API_KEY) {
    return fail('regeneration needs OPENAI_API_KEY (and OPENAI_BASE_URL for an OpenAI-compatible server); none is set');
  }
  const concurrency = Number(values.concurrency ?? config.LOUPE_JOB_CONCURRENCY);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) return fail('--concurrency must be an integer from 1 to 64');

  const db = getDb();
  const dataset = values.dataset !== undefined ? getDatasetByName(db, values.dataset) : onlyDataset(db);
  if (!dataset) {
    return fail(
      values.dataset !== undefined
        ? `no dataset named "${values.dataset}"`
        : 'choose a dataset with --dataset NAME (there is not exactly one)',
    );
  }
  const parsed = listFilterSchema.safeParse({
    datasetId: dataset.id,
    family: values.family,
    task: values.task,
    instructionType: values.type,
    ...extraFilterInput(values),
  });
  if (!parsed.success) return fail(filterProblem(parsed.error));
  const filter = { ...parsed.data, status };

  let estimate;
  try {
    estimate = estimateBatch(db, config, { kind, filter, via });
  } catch (error) {
    if (error instanceof LoupeError) return fail(error.message);
    throw error;
  }
  const skipped = estimate.skippedActive ? ` (${estimate.skippedActive} left out: a ${kind} job is already queued or running)` : '';
  const where = [
    filter.family && `${filter.family}${filter.task ? `/${filter.task}` : ''}`,
    filter.instructionType,
    status,
    filter.reviewer && `verdict by ${filter.reviewer}`,
    filter.from !== undefined && `from ${new Date(filter.from).toISOString()}`,
    filter.to !== undefined && `to ${new Date(filter.to).toISOString()}`,
    filter.text && `text "${filter.text}"`,
    filter.origin,
  ].filter(Boolean);
  const of = `"${dataset.name}"${where.length ? ` (${where.join(', ')})` : ''}`;
  const both = estimate.batchUsd === null ? '' : ` (synchronous ${usd(estimate.syncUsd)}, Batch API ${usd(estimate.batchUsd)})`;
  process.stderr.write(`${kind}: ${estimate.items} items of ${of}, estimated ${usd(estimate.estimatedUsd)}${both}${skipped}\n`);
  if (estimate.fullRelease) {
    const full = estimate.fullRelease;
    process.stderr.write(
      `  at the full release's ${full.items.toLocaleString('en-US')} items: synchronous ${usd(full.syncUsd)}` +
        `${full.batchUsd === null ? '' : `, Batch API ${usd(full.batchUsd)}`}\n`,
    );
  }
  process.stderr.write(`  ${pathLine(estimate, via)}\n`);
  if (values['dry-run']) {
    if (values.json) process.stdout.write(JSON.stringify({ dryRun: true, dataset: dataset.name, kind, ...estimate }) + '\n');
    return 0;
  }
  if (values['budget-usd'] === undefined)
    return fail(`set a spending limit with --budget-usd N (the estimate is ${usd(estimate.estimatedUsd)})`);
  const budgetUsd = Number(values['budget-usd']);
  if (!(budgetUsd > 0)) return fail('--budget-usd must be a positive number');

  const started = Date.now();
  let batch;
  try {
    batch = await startBatch(db, config, { kind, filter, budgetUsd, requestedBy: `cli:${process.env.USER ?? 'loupe'}`, via });
  } catch (error) {
    if (error instanceof LoupeError) return fail(error.message);
    throw error;
  }
  const { batchId } = batch;
  // The kinds that call the API; other jobs (signals) stay queued for a general worker. The batch
  // driver runs beside it: it submits a Batch API path batch's jobs and polls them (LOUPE_BATCH_POLL_MS).
  const { runners, claim, driver } = workerKinds(db, config, {
    only: API_KINDS,
    onBatchEvent: (event) => {
      if (event.type === 'submitted') note(`  submitted ${event.jobs} requests to the Batch API as ${event.remoteId}`);
      else if (event.type === 'ended') {
        note(
          `  OpenAI batch ${event.row} ${event.remoteStatus}: ${event.succeeded} ok, ${event.failed} failed, ${event.requeued} requeued`,
        );
      } else note(`  OpenAI batch: ${event.message}`);
    },
  });
  const worker = new JobWorker(db, {
    driver,
    concurrency,
    maxAttempts: config.LOUPE_JOB_MAX_ATTEMPTS,
    lockMs: config.LOUPE_JOB_LOCK_MS,
    preparing: defaultPreparing(),
    runners,
    claim,
    onEvent: ({ job, type, message }) => {
      if (type === 'failed' || type === 'discarded') note(`  job ${job}: ${type}: ${message}`);
    },
  }).start();

  // Ctrl-C: take no more jobs and let the running ones finish (a second Ctrl-C aborts them).
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return void worker.stop({ abort: true });
    interrupted = true;
    note(
      batch.path === 'batch'
        ? 'stopping: the OpenAI batch goes on remotely; `npm run loupe -- worker` resumes polling it (it is not submitted again)'
        : `stopping: waiting for ${worker.active} running jobs; the rest stays queued (run \`npm run loupe -- worker\` to go on)`,
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const bar = new ProgressBar(kind);
  let progress = batchProgress(db, batchId);
  while (!interrupted && progress.counts.queued + progress.counts.running > 0) {
    const { succeeded, failed, cancelled } = progress.counts;
    bar.update(
      succeeded + failed + cancelled,
      progress.total,
      `${succeeded} ok, ${failed} failed, ${cancelled} cancelled · ${usd(progress.spentUsd)} of ${usd(budgetUsd)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 250));
    progress = batchProgress(db, batchId);
  }
  await worker.stop();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);

  progress = batchProgress(db, batchId);
  const { succeeded, failed, cancelled } = progress.counts;
  const stopped = progress.status === 'stopped';
  bar.finish(
    `Batch ${batchId}: ${succeeded} succeeded, ${failed} failed, ${cancelled} cancelled of ${progress.total}; ` +
      `spent ${usd(progress.spentUsd)} of ${usd(budgetUsd)}${stopped ? ' (stopped: budget spent)' : ''}${interrupted ? ' (interrupted)' : ''}`,
  );
  if (values.json) {
    const summary = {
      batchId,
      items: progress.total,
      succeeded,
      failed,
      cancelled,
      spentUsd: progress.spentUsd,
      budgetUsd,
      estimatedUsd: progress.estimatedUsd,
      path: batch.path,
      stopped,
      seconds: (Date.now() - started) / 1000,
    };
    process.stdout.write(JSON.stringify(interrupted ? { ...summary, interrupted } : summary) + '\n');
  }
  return interrupted ? 130 : 0;
}

function onlyDataset(db: ReturnType<typeof getDb>) {
  const all = listDatasets(db);
  return all.length === 1 ? all[0] : undefined;
}
