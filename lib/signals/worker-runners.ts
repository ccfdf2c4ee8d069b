import type { Db } from '@/db';
import type { JobKind } from '@/db/schema';
import type { JobRow } from '../jobs/jobs';
import type { JobRunner } from '../jobs/worker';
import { openaiClient } from '../regenerate/client';
import type { RegenerateConfig } from '../regenerate/config';
import { jobRunners } from '../regenerate/runners';
import { claimSignalsJob } from './queue';
import { signalsRunner } from './runner';

export interface WorkerRunners {
  runners: Partial<Record<JobKind, JobRunner>>;
  /** Set when the worker runs only local jobs: it takes `signals` jobs only, so API jobs stay queued. */
  claim?: (db: Db, workerId: string, lockMs: number) => JobRow | undefined;
  /** The job kinds it runs, for its start-up line. */
  kinds: JobKind[];
}

/**
 * What a general worker process (the server's, `loupe worker`) runs: the local `signals` jobs
 * always; the OpenAI API jobs (jobRunners: regenerations, rewrites, ...) only with an API key.
 */
export function workerRunners(db: Db, config: RegenerateConfig): WorkerRunners {
  const signals = signalsRunner(db);
  if (!config.OPENAI_API_KEY) return { runners: { signals }, claim: claimSignalsJob, kinds: ['signals'] };
  const runners: Partial<Record<JobKind, JobRunner>> = { ...jobRunners(db, openaiClient(config), config), signals };
  return { runners, kinds: Object.keys(runners) as JobKind[] };
}

/** A worker that runs signals jobs only (a CLI `signals --wait` run, the benchmark). */
export function signalsOnly(db: Db): WorkerRunners {
  return { runners: { signals: signalsRunner(db) }, claim: claimSignalsJob, kinds: ['signals'] };
}
