import 'server-only';
import { getDb } from '@/db';
import { openaiClient } from '../regenerate/client';
import { regenerateConfig } from '../regenerate/config';
import { jobRunners } from '../regenerate/runners';
import { JobWorker } from './worker';

const holder = globalThis as unknown as { __loupeWorker?: JobWorker | null };

/**
 * The job worker inside the server process (started from instrumentation.ts), unless
 * LOUPE_WORKER=off or no API key is configured. Null when there is none.
 */
export function serverWorker(): JobWorker | null {
  if (holder.__loupeWorker !== undefined) return holder.__loupeWorker;
  const config = regenerateConfig();
  if (config.LOUPE_WORKER === 'off' || !config.OPENAI_API_KEY) {
    holder.__loupeWorker = null;
    return null;
  }
  const db = getDb();
  holder.__loupeWorker = new JobWorker(db, {
    concurrency: config.LOUPE_JOB_CONCURRENCY,
    maxAttempts: config.LOUPE_JOB_MAX_ATTEMPTS,
    runners: jobRunners(db, openaiClient(config), config),
    onEvent: ({ job, type, message }) => {
      if (type !== 'succeeded') console.log(`loupe job ${job}: ${type}${message ? `: ${message}` : ''}`);
    },
  }).start();
  return holder.__loupeWorker;
}
