import { parseArgs } from 'node:util';
import { getDb } from '@/db';
import { defaultPreparing, JobWorker } from '@/lib/jobs/worker';
import { openaiConfig } from '@/lib/openai/config';
import { workerKinds } from '@/lib/jobs/worker-kinds';

/** `worker`: runs queued jobs (from the web app or a batch) in this process until SIGINT or SIGTERM. */
export async function workerCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { concurrency: { type: 'string' } } });
  const fail = (message: string) => {
    process.stderr.write(`loupe worker: ${message}\n`);
    return 1;
  };
  if (positionals.length) return fail(`unexpected argument ${positionals[0]}`);
  const config = openaiConfig();
  const concurrency = Number(values.concurrency ?? config.LOUPE_JOB_CONCURRENCY);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) return fail('--concurrency must be an integer from 1 to 64');

  const db = getDb();
  // Every kind; those calling the API only with a key (without one they stay queued for a worker that has it).
  const { runners, claim, kinds, driver } = workerKinds(db, config, {
    onBatchEvent: (event) => process.stderr.write(`openai batch: ${JSON.stringify(event)}\n`),
  });
  const worker = new JobWorker(db, {
    driver,
    concurrency,
    maxAttempts: config.LOUPE_JOB_MAX_ATTEMPTS,
    lockMs: config.LOUPE_JOB_LOCK_MS,
    preparing: defaultPreparing(),
    runners,
    claim,
    onEvent: ({ job, type, message }) => process.stderr.write(`job ${job}: ${type}${message ? `: ${message}` : ''}\n`),
  }).start();
  const noKey = config.OPENAI_API_KEY ? '' : ' (no OPENAI_API_KEY: regenerations and rewrites stay queued)';
  process.stderr.write(`loupe worker ${worker.id}: running ${kinds.join(', ')} jobs${noKey}, ${concurrency} at a time (Ctrl-C to stop)\n`);

  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  process.stderr.write(`${signal}: taking no more jobs; waiting for ${worker.active} running ones to finish\n`);
  await worker.stop();
  process.stderr.write('loupe worker stopped\n');
  return 0;
}
