import os from 'node:os';
import { parseArgs } from 'node:util';
import { getDb } from '@/db';
import { getDatasetByName, listDatasets } from '@/lib/datasets';
import { JobWorker } from '@/lib/jobs/worker';
import { openaiConfig } from '@/lib/openai/config';
import { listFilterSchema } from '@/lib/filter/filter';
import { DEFAULT_MAX_DISTANCE, groupNearDuplicates, type GroupSummary } from '@/lib/signals/groups';
import { queueSignals, signalsJobCounts, signalsJobsLeft } from '@/lib/signals/queue';
import { signalFlags } from '@/lib/signals/summary';
import { workerKinds } from '@/lib/jobs/worker-kinds';
import { ProgressBar } from './progress';
import { note } from './regenerate';
import { EXTRA_FILTER_OPTIONS, extraFilterInput, filterProblem } from './filter-options';

export const SIGNALS_USAGE = `  signals [--dataset NAME] [--family F] [--task T] [--type T] [--status S] [--reviewer R] [--from DATE] [--to DATE]
          [--text T] [--origin dataset|regenerated] [--score NAME --score-min X --score-max Y] [--all-candidates]
          [--force] [--wait] [--concurrency C] [--group-only] [--max-distance N] [--json]
      Queue pixel-signal jobs (padding residual, SSIM, changed fraction, pHash) for the matching items'
      current candidates (--all-candidates: every candidate); items already measured are skipped unless
      --force. --wait runs them here, then groups near-duplicate sources and edits (pHash distance
      <= --max-distance, default ${DEFAULT_MAX_DISTANCE}) and prints a summary; without it the server's worker (or
      \`worker\`) runs them. --group-only runs just the grouping.`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const count = (n: number) => n.toLocaleString('en-US');

/** `signals`: queues the pixel-signal jobs of a filter; with --wait runs them here and groups near-duplicates. */
export async function signalsCommand(args: string[]): Promise<number> {
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
      'all-candidates': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      wait: { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      'group-only': { type: 'boolean', default: false },
      'max-distance': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const fail = (message: string) => {
    process.stderr.write(`loupe signals: ${message}\n`);
    if (values.json) process.stdout.write(JSON.stringify({ error: message }) + '\n');
    return 1;
  };
  if (positionals.length) return fail(`unexpected argument ${positionals[0]}`);
  // libuv's pool decodes (sharp) while the main thread does the JavaScript part: a few more jobs than cores.
  const concurrency = Number(values.concurrency ?? Math.max(2, os.availableParallelism() + 2));
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) return fail('--concurrency must be an integer from 1 to 64');
  const maxDistance = Number(values['max-distance'] ?? DEFAULT_MAX_DISTANCE);
  if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > 32) return fail('--max-distance must be an integer from 0 to 32');

  const db = getDb();
  let dataset;
  if (values.dataset !== undefined) dataset = getDatasetByName(db, values.dataset);
  else {
    const all = listDatasets(db);
    dataset = all.length === 1 ? all[0] : undefined;
  }
  if (!dataset) {
    return fail(
      values.dataset !== undefined
        ? `no dataset named "${values.dataset}"`
        : 'choose a dataset with --dataset NAME (there is not exactly one)',
    );
  }

  const group = async (): Promise<GroupSummary> => {
    const bar = new ProgressBar('duplicates');
    const summary = await groupNearDuplicates(db, dataset.id, {
      maxDistance,
      onProgress: (phase, done, total) => bar.update(done, total, phase),
    });
    const line = (kind: 'source' | 'edit') => {
      const s = summary[kind];
      return `${kind}s: ${count(s.groups)} group${s.groups === 1 ? '' : 's'} (${count(s.duplicates)} of ${count(s.hashes)} candidates, largest ${count(s.largest)})`;
    };
    bar.finish(`Near-duplicates (pHash distance <= ${maxDistance}) in "${dataset.name}": ${line('source')}; ${line('edit')}`);
    return summary;
  };

  if (values['group-only']) {
    const groups = await group();
    if (values.json) process.stdout.write(JSON.stringify({ dataset: dataset.name, groups }) + '\n');
    return 0;
  }

  const parsed = listFilterSchema.safeParse({
    datasetId: dataset.id,
    family: values.family,
    task: values.task,
    instructionType: values.type,
    status: values.status,
    ...extraFilterInput(values),
  });
  if (!parsed.success) return fail(filterProblem(parsed.error));

  const started = Date.now();
  const queued = await queueSignals(db, parsed.data, {
    requestedBy: `cli:${process.env.USER ?? 'loupe'}`,
    skipComputed: !values.force,
    allCandidates: values['all-candidates'],
  });
  const skipped = [
    queued.skippedComputed && `${count(queued.skippedComputed)} already measured${values.force ? '' : ' (--force to measure again)'}`,
    queued.skippedActive && `${count(queued.skippedActive)} already queued or running`,
  ].filter(Boolean);
  process.stderr.write(
    `signals: queued ${count(queued.queued)} jobs for ${count(queued.matched)} matching items of "${dataset.name}"` +
      `${skipped.length ? ` (${skipped.join(', ')})` : ''}\n`,
  );
  const result = {
    dataset: dataset.name,
    queued: queued.queued,
    matched: queued.matched,
    skippedComputed: queued.skippedComputed,
    skippedActive: queued.skippedActive,
  };
  if (!values.wait) {
    if (queued.queued)
      process.stderr.write(
        "The server's job worker (or `npm run loupe -- worker`) runs them; then `signals --group-only` groups near-duplicates.\n",
      );
    if (values.json) process.stdout.write(JSON.stringify(result) + '\n');
    return 0;
  }

  // Run them here: a worker that takes signals jobs only, so the server's API jobs are never touched.
  const failures: string[] = [];
  let done = 0;
  const { runners, claim } = workerKinds(db, undefined, { only: ['signals'] });
  const worker = new JobWorker(db, {
    concurrency,
    maxAttempts: 2,
    lockMs: openaiConfig().LOUPE_JOB_LOCK_MS,
    runners,
    claim,
    pollMs: 100,
    onEvent: ({ job, type, message }) => {
      if (type === 'succeeded' || type === 'failed' || type === 'cancelled' || type === 'discarded') done++;
      if ((type === 'failed' || type === 'discarded') && failures.length < 5) {
        failures.push(`job ${job}: ${message}`);
        note(`  job ${job}: ${type}: ${message}`);
      }
    },
  });
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return void worker.stop({ abort: true });
    interrupted = true;
    note(`stopping: waiting for ${worker.active} running jobs; the rest stays queued (run \`npm run loupe -- worker\` to go on)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const measureStarted = Date.now();
  if (queued.firstJobId !== null && queued.lastJobId !== null) {
    const { firstJobId, lastJobId } = queued;
    const total = queued.queued + queued.skippedActive; // jobs queued before (without --wait) are run too
    worker.start();
    const bar = new ProgressBar('signals');
    let checked = 0;
    let finished = 0;
    while (!interrupted) {
      // Counting in the database costs more than the events, but also sees jobs other workers ran.
      if (done >= total || Date.now() - checked > 5000) {
        const left = signalsJobsLeft(db, firstJobId, lastJobId);
        if (left === 0) break;
        finished = total - left;
        checked = Date.now();
      }
      finished = Math.max(finished, done);
      const rate = done / Math.max(0.001, (Date.now() - measureStarted) / 1000);
      bar.update(finished, total, `${count(finished)} / ${count(total)} · ${rate.toFixed(1)} pairs/s here`);
      await sleep(250);
    }
    await worker.stop();
    bar.finish(`Measured ${count(done)} items here`);
  }
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  const seconds = (Date.now() - measureStarted) / 1000;
  const counts =
    queued.firstJobId !== null && queued.lastJobId !== null
      ? signalsJobCounts(db, queued.firstJobId, queued.lastJobId)
      : { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
  if (interrupted) {
    if (values.json) process.stdout.write(JSON.stringify({ ...result, ...counts, seconds, interrupted }) + '\n');
    return 130;
  }

  const groups = await group();
  const flags = signalFlags(db, dataset.id);
  const pairsPerSecond = seconds > 0 ? done / seconds : 0;
  process.stderr.write(
    `signals: ${count(counts.succeeded)} succeeded, ${count(counts.failed)} failed · ${pairsPerSecond.toFixed(1)} pairs/s ` +
      `(${(2 * pairsPerSecond).toFixed(1)} images/s, concurrency ${concurrency})\n` +
      `"${dataset.name}": ${count(flags.measured)} candidates measured; ${count(flags.padded)} with residual padding, ` +
      `${count(flags.unchanged)} with (almost) nothing changed, ${count(flags.allChanged)} with nearly every pixel changed\n`,
  );
  if (values.json) {
    process.stdout.write(
      JSON.stringify({
        ...result,
        succeeded: counts.succeeded,
        failed: counts.failed,
        seconds: (Date.now() - started) / 1000,
        pairsPerSecond,
        imagesPerSecond: 2 * pairsPerSecond,
        flags,
        groups,
        ...(failures.length ? { failures } : {}),
      }) + '\n',
    );
  }
  return 0;
}
