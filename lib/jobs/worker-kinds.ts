import path from 'node:path';
import type OpenAI from 'openai';
import type { Db } from '@/db';
import { openaiClient } from '../openai/client';
import { openaiConfig, type OpenAIConfig } from '../openai/config';
import { BatchDriver, type DriverEvent } from './batch-driver';
import { claimJob, type JobRow } from './jobs';
import type { JobRunner } from './kind';
import { KINDS, type JobKind } from './kinds';

/** What a worker runs: its kinds, their runners, and the claim that takes only their jobs. */
export interface WorkerKinds {
  runners: Partial<Record<JobKind, JobRunner>>;
  /** Set when the worker runs only some kinds: it takes only their jobs, so the others stay queued. */
  claim?: (db: Db, workerId: string, lockMs: number) => JobRow | undefined;
  /** The kinds it runs, for its start-up line. */
  kinds: JobKind[];
  /** Drives the OpenAI Batch API submissions of batch-path batches (one driver per database runs at a time); set when it runs a kind that takes them. */
  driver?: BatchDriver;
}

/**
 * The runners of a worker process (the server's, `loupe worker`, a CLI batch), built from the
 * kinds' list: every kind in `only` (default all) that it can run, that is the kinds needing the
 * OpenAI API only when an API key is set. They share one OpenAI client (`client`, or one made
 * from the settings on first use).
 */
export function workerKinds(
  db: Db,
  config: OpenAIConfig = openaiConfig(),
  { only, client, onBatchEvent }: { only?: readonly JobKind[]; client?: OpenAI; onBatchEvent?: (event: DriverEvent) => void } = {},
): WorkerKinds {
  const openai = () => (client ??= openaiClient(config));
  const kinds = KINDS.filter((kind) => (!only || only.includes(kind.id)) && (!kind.needsApiKey || config.OPENAI_API_KEY));
  const runners: Partial<Record<JobKind, JobRunner>> = Object.fromEntries(
    kinds.map((kind) => [kind.id, kind.runner({ db, config, openai })]),
  );
  const ids = kinds.map((kind) => kind.id);
  const all = ids.length === KINDS.length;
  // The input files are written beside the database (the data directory), then uploaded and removed.
  const driver = kinds.some((kind) => kind.batch && kind.needsApiKey)
    ? new BatchDriver(db, config, openai, { dir: path.dirname(db.$client.name), onEvent: onBatchEvent })
    : undefined;
  return {
    runners,
    kinds: ids,
    ...(driver ? { driver } : {}),
    ...(all ? {} : { claim: (db, workerId, lockMs) => claimJob(db, workerId, lockMs, Date.now(), ids) }),
  };
}

/** The kinds that call the OpenAI API (what a CLI batch runs). */
export const API_KINDS: JobKind[] = KINDS.filter((kind) => kind.needsApiKey).map((kind) => kind.id);
