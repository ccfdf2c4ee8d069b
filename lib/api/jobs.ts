import { z } from 'zod';
import { decimalCount, decimalId, parseId } from '@/lib/http/params';
import { BATCH_KINDS, KINDS, type JobKind } from '@/lib/jobs/kinds';
import { batchFilterSchema } from '@/lib/batches/batch';

/**
 * The job and batch API (app/api/items/:id/jobs, app/api/batches): what the route handlers parse.
 * The one contract that is not client-safe: the kinds come from lib/jobs/kinds, which is server-only
 * (the runners use sharp and the OpenAI SDK), so pages and components import only its types
 * (lib/api/boundaries.test.ts, SERVER_CONTRACTS, checks both).
 */

/** Kinds a person asks for on one item (`interactive` ones; bulk kinds are queued by their own routes). */
const ITEM_KINDS = KINDS.filter((kind) => kind.priority === 'interactive').map((kind) => kind.id) as [JobKind, ...JobKind[]];

/** POST /api/items/:id/jobs */
export const jobRequest = z.object({
  kind: z.enum(ITEM_KINDS),
  /** The review page asking: it lets go of the item until the job ends (kinds that hold the item). */
  holder: z.string().min(8).max(100).optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});
export type JobRequestBody = z.input<typeof jobRequest>;
export type JobQueued = { jobId: number; estimatedUsd: number };

/** POST /api/batches/estimate */
export const batchEstimateRequest = batchFilterSchema.extend({ kind: z.enum(BATCH_KINDS) });

/** POST /api/batches */
export const batchRequest = batchEstimateRequest.extend({ budgetUsd: z.number().positive().max(1_000_000) });

/** GET /api/batches?id= */
export const batchQuery = z.object({ id: decimalId() });

const MAX_IDS = 50;

/** The Jobs page's filters, in its URL (/jobs?kind=&status=&before=) and in GET /api/jobs. */
export const jobsFilter = z.object({
  kind: z.enum(KINDS.map((kind) => kind.id) as [JobKind, ...JobKind[]]).optional(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']).optional(),
  before: decimalId().optional(),
});
export type JobsFilter = z.infer<typeof jobsFilter>;

/** GET /api/jobs?kind=&status=&before=&limit=&item=&ids= */
export const jobsQuery = jobsFilter.extend({
  /** One item's jobs (the item page). */
  item: decimalId().optional(),
  limit: decimalCount().pipe(z.number().min(1).max(200)).default(50),
  ids: z
    .string()
    .transform((value, ctx) => {
      const ids = value.split(',').map(parseId);
      if (ids.length <= MAX_IDS && ids.every((id) => id !== undefined)) return ids;
      ctx.addIssue({ code: 'custom', message: `must be 1 to ${MAX_IDS} comma-separated positive decimal integer ids` });
      return z.NEVER;
    })
    .optional(),
});

/** GET /api/jobs answers a page of jobs with their item and dataset (lib/jobs/list.ts). */
export type { JobListPage as JobsAnswer, JobListRow as JobListed } from '@/lib/jobs/list';
