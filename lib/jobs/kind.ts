import type OpenAI from 'openai';
import type { z } from 'zod';
import type { Db } from '@/db';
import type { BatchEndpoint } from '../openai-batch/input';
import type { OpenAIConfig } from '../openai/config';
import type { ItemFacts } from '../openai/item-facts';
import type { Spend } from './spend';

/**
 * What a job kind is: one file in lib/jobs/kinds/ exports one of these, and lib/jobs/kinds/index.ts
 * lists it. Everything that depends on the kind (the items/jobs route, batches, the worker, the
 * review queue, the claim order, the dashboard, the UI's labels) reads it from the list.
 * This file names no kind, so the kinds can import it without a cycle.
 */

/** What a runner is given of its job (a row of lib/jobs/jobs.ts is one). */
export interface RunnableJob {
  id: number;
  itemId: number;
  params: Record<string, unknown>;
  batchId: number | null;
  requestedBy: string;
  createdAt: number;
}

/** What a job's work produced: its cost, and the rows to write when it is recorded. */
export interface JobOutcome {
  costUsd: number;
  /** Runs inside the job's completion transaction: synchronous database writes only. */
  commit: () => { candidateId?: number; instructionId?: number };
}

/**
 * Does a job's work (API calls, image processing): no database transaction is open meanwhile.
 * Every paid API call goes through `spend.paid`, which commits its cost before it is sent.
 */
export type JobRunner = (job: RunnableJob, signal: AbortSignal, spend: Spend) => Promise<JobOutcome>;

/** What a kind's runner is built with. `openai()` is the worker's one shared client, made on first use (it needs the API key). */
export interface RunnerContext {
  db: Db;
  config: OpenAIConfig;
  openai: () => OpenAI;
}

/** What the API answered one job's request, on either path. */
export interface ApiAnswer {
  /** The response body: what the endpoint answers synchronously, or the `response.body` of a batch output line. */
  body: unknown;
  requestId: string | null;
  /** Answered by the local stand-in server (lib/openai/simulated.ts). */
  simulated: boolean;
  /** What the call costs against the price table: 1 synchronously, BATCH_PRICE_FACTOR (lib/openai/prices.ts) through the Batch API. */
  priceFactor: number;
  /** From sending the request to the answer (through the Batch API: from submitting the batch). */
  durationMs: number;
}

/**
 * A kind whose API call can go through the OpenAI Batch API (lib/jobs/batch-driver.ts) declares its
 * runner's two halves, which its synchronous runner is built on too, so both paths parse and commit alike.
 */
export interface BatchHooks {
  endpoint: BatchEndpoint;
  /**
   * The request body for the job (JSON, as the endpoint takes it), the most it can cost at synchronous
   * prices, and the job's parameters resolved (the current candidate or instruction named by id), which
   * the Batch path stores so its answer, a day later, is applied to what was asked about.
   */
  request(job: RunnableJob): Promise<{ body: object; worstCaseUsd: number; params: Record<string, unknown> }>;
  /** Turns the answer into the job's outcome (cost at the answer's price, the rows to commit); throws when it is unusable. */
  apply(job: RunnableJob, answer: ApiAnswer): Promise<JobOutcome>;
}

/**
 * When the worker takes the kind's jobs. `interactive`: asked for on one item by a person (the
 * items/jobs route accepts only these), taken before batch work; `bulk`: queued for many items at
 * once (signals), taken after batch work. Within a class, oldest first.
 */
export type PriorityClass = 'interactive' | 'bulk';

export interface JobKindDefinition<Id extends string = string, Params extends z.ZodType = z.ZodType> {
  /** Stored in jobs.kind and batches.kind, and written into SQL as a literal: lower-case letters and underscores (defineKind checks). */
  id: Id;
  /** What the job is, as the UI names it ("Regeneration"). */
  label: string;
  /** What a batch of it does, for the batch form ("Regenerate images"); batchable kinds only. */
  batchLabel?: string;
  /** The job's parameters (jobs.params), checked when it is asked for and again by the runner. */
  params: Params;
  /** It calls the OpenAI API: refused without OPENAI_API_KEY, and a worker without one leaves it queued. */
  needsApiKey: boolean;
  /** The item leaves the review queue while the job is queued or running, and comes back to whoever asked when it ends. */
  holdsItem: boolean;
  /** A batch (a filter and a budget) can queue it for many items. */
  batchable: boolean;
  /** What a batch estimate groups items by: its cost depends only on their aspect bucket, or on their exact size. */
  costDependsOn?: 'aspect' | 'size';
  priority: PriorityClass;
  /** What one job is expected to cost (USD, from the price table) for an item of this size; the actual cost comes from usage. */
  estimate(config: OpenAIConfig, item: { width: number; height: number }, params: z.infer<Params>): number;
  /** Refuses a request the item cannot take (throw LoupeError('invalid', …)); the parameters already parsed. */
  check?(db: Db, itemId: number, item: ItemFacts, params: z.infer<Params>): void;
  /** Builds the function that runs one job of the kind (lib/jobs/worker.ts calls it). */
  runner(context: RunnerContext): JobRunner;
  /** Its request and answer halves, when its jobs can also go through the OpenAI Batch API at half price. */
  batch?(context: Omit<RunnerContext, 'openai'>): BatchHooks;
}

/**
 * Declares a kind, keeping its literal id and flags (so JobKind and BatchKind can be derived from the list).
 * Throws on an id that is not lower-case letters and underscores: ids are written into SQL as literals (kinds/index.ts kindIn).
 */
export function defineKind<
  const Id extends string,
  Params extends z.ZodType,
  const Flags extends { batchable: boolean; holdsItem: boolean },
>(kind: JobKindDefinition<Id, Params> & Flags): JobKindDefinition<Id, Params> & Flags {
  if (!/^[a-z_]+$/.test(kind.id)) throw new Error(`job kind id ${JSON.stringify(kind.id)}: only lower-case letters and underscores`);
  return kind;
}
