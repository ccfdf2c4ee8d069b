import 'server-only';
import { getDb } from '@/db';
import { openaiConfig } from '../openai/config';
import { defaultPreparing, JobWorker } from './worker';
import { workerKinds } from './worker-kinds';

const holder = globalThis as unknown as { __loupeWorker?: JobWorker | null };

/**
 * The job worker inside the server process (started from instrumentation.ts), unless
 * LOUPE_WORKER=off. It runs every kind (lib/jobs/kinds); those calling the OpenAI API only when an
 * API key is configured (without one they stay queued). Null when there is none.
 */
export function serverWorker(): JobWorker | null {
  if (holder.__loupeWorker !== undefined) return holder.__loupeWorker;
  const config = openaiConfig();
  if (config.LOUPE_WORKER === 'off') {
    holder.__loupeWorker = null;
    return null;
  }
  const db = getDb();
  const { runners, claim, kinds, driver } = workerKinds(db, config);
  holder.__loupeWorker = new JobWorker(db, {
    driver,
    concurrency: config.LOUPE_JOB_CONCURRENCY,
    maxAttempts: config.LOUPE_JOB_MAX_ATTEMPTS,
    lockMs: config.LOUPE_JOB_LOCK_MS,
    preparing: defaultPreparing(),
    runners,
    claim,
    onEvent: ({ job, type, message }) => {
      if (type !== 'succeeded') console.log(`loupe job ${job}: ${type}${message ? `: ${message}` : ''}`);
    },
  }).start();
  console.log(`Loupe job worker runs ${kinds.join(', ')} jobs${config.OPENAI_API_KEY ? '' : ' (no OPENAI_API_KEY: API jobs stay queued)'}`);
  return holder.__loupeWorker;
}
