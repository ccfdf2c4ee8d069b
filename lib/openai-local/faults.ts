import { z } from 'zod';
import { ApiError } from './errors';
import { seededRandom } from '../random';

export interface FaultPlan {
  status: 429 | 500 | 400;
  retryAfterSeconds?: number;
  code?: string;
  message?: string;
}
/**
 * A 200 whose content the client cannot use: a chat reply that does not match its
 * json_schema (e.g. `{"editing_success": "very good"}`), or image data that is not an image.
 */
export interface UnparseableFault {
  unparseable: true;
}
/** A fault the rate can pick: an error status or an unusable answer. */
export type RateFault = FaultPlan | UnparseableFault;
export type QueuedFault = RateFault | { slowMs: number };

export const faultPlanSchema = z
  .object({
    status: z.union([z.literal(429), z.literal(500), z.literal(400)]),
    retryAfterSeconds: z.number().nonnegative().optional(),
    code: z.string().min(1).optional(),
    message: z.string().min(1).optional(),
  })
  .strict();
const unparseableSchema = z.object({ unparseable: z.literal(true) }).strict();
const rateFaultSchema = z.union([faultPlanSchema, unparseableSchema]);
const queuedFaultSchema = z.union([faultPlanSchema, unparseableSchema, z.object({ slowMs: z.number().int().nonnegative() }).strict()]);

/** Body of POST /__control/faults, for when the server runs as its own process. */
export const controlSchema = z
  .object({
    queue: z.array(queuedFaultSchema).optional(),
    rate: z
      .object({ rate: z.number().min(0).max(1), fault: rateFaultSchema })
      .strict()
      .optional(),
    latencyMs: z.number().int().nonnegative().optional(),
    /** Batch faults: failed lines by custom_id, plans for the next batches, 500s on the next polls, the batch delay. */
    batch: z
      .object({
        failCustomIds: z.array(z.string()).optional(),
        failFault: faultPlanSchema.optional(),
        next: z
          .array(
            z
              .object({ expireAfter: z.number().int().nonnegative().optional(), cancelAfter: z.number().int().nonnegative().optional() })
              .strict(),
          )
          .optional(),
        pollErrors: z.number().int().nonnegative().optional(),
        delayMs: z.number().int().nonnegative().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const SEED = 0x10c4_0e5e;

/** Faults to answer instead of the real result: first the queued ones in order, then at random at the set rate. */
export class Faults {
  private queue: QueuedFault[] = [];
  private rate = 0;
  private rateFault: RateFault | undefined;
  private random = seededRandom(SEED);

  enqueue(faults: QueuedFault[]) {
    this.queue.push(...faults);
  }

  /** Restarts the PRNG too, so the same call gives the same sequence of faults. */
  setRate(rate: number, fault: RateFault) {
    this.rate = rate;
    this.rateFault = fault;
    this.random = seededRandom(SEED);
  }

  get pending(): number {
    return this.queue.length;
  }

  /** The fault for the next request, if any (consumes one). */
  next(): QueuedFault | undefined {
    const queued = this.queue.shift();
    if (queued) return queued;
    if (this.rate > 0 && this.rateFault && this.random() < this.rate) return this.rateFault;
    return undefined;
  }
}

/** The error the API sends for each kind of fault. */
export function faultError(fault: FaultPlan, model: string | undefined): ApiError {
  if (fault.status === 429) {
    const wait = fault.retryAfterSeconds;
    const message =
      fault.message ??
      `Rate limit reached for ${model ?? 'requests'} in organization org-local on requests per min (RPM): Limit 60, Used 60, Requested 1.` +
        `${wait !== undefined ? ` Please try again in ${wait}s.` : ''} Visit https://platform.openai.com/account/rate-limits to learn more.`;
    const headers: Record<string, string> = wait !== undefined ? { 'retry-after': String(wait) } : {};
    return new ApiError(429, message, 'requests', null, fault.code ?? 'rate_limit_exceeded', headers);
  }
  if (fault.status === 500) {
    const message = fault.message ?? 'The server had an error while processing your request. Sorry about that!';
    return new ApiError(500, message, 'server_error', null, fault.code ?? null);
  }
  const code = fault.code ?? 'moderation_blocked';
  if (code === 'moderation_blocked') {
    return new ApiError(400, fault.message ?? 'Your request was rejected by the safety system.', 'image_generation_user_error', null, code);
  }
  return new ApiError(400, fault.message ?? 'Invalid request.', 'invalid_request_error', null, code);
}
