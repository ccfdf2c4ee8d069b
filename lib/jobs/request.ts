import type { Db } from '@/db';
import { LoupeError } from '@/lib/errors';
import type { OpenAIConfig } from '../openai/config';
import { itemFacts } from '../openai/item-facts';
import { enqueueJob } from './jobs';
import type { JobKindDefinition } from './kind';
import { kindOf, type JobKind } from './kinds';

export interface JobRequest {
  kind: JobKind;
  itemId: number;
  requestedBy: string;
  params?: unknown;
  batchId?: number;
}

/** Why this server cannot run the kind (it calls the OpenAI API and no key is set), named by its label; undefined when it can. */
export function notConfigured(kind: JobKindDefinition, config: OpenAIConfig): string | undefined {
  if (!kind.needsApiKey || config.OPENAI_API_KEY) return undefined;
  return `${kind.label} is not configured on this server: set OPENAI_API_KEY (and OPENAI_BASE_URL if needed).`;
}

/**
 * Validates and queues one job of any kind: the API key if the kind needs one, the item, the
 * kind's parameters and its own check, then its estimate. Throws LoupeError (400, 404, 409).
 */
export function requestJob(db: Db, config: OpenAIConfig, request: JobRequest): { jobId: number; estimatedUsd: number } {
  const kind = kindOf(request.kind);
  if (!kind) throw new LoupeError('invalid', `unknown job kind ${request.kind}`);
  const missing = notConfigured(kind, config);
  if (missing) throw new LoupeError('invalid', missing);
  const item = itemFacts(db, request.itemId);
  if (!item) throw new LoupeError('not_found', `item ${request.itemId} not found`);
  const parsed = kind.params.safeParse(request.params ?? {});
  if (!parsed.success) throw new LoupeError('invalid', `invalid job parameters: ${parsed.error.issues[0].message}`);
  kind.check?.(db, request.itemId, item, parsed.data);
  const estimatedUsd = kind.estimate(config, item, parsed.data);
  const jobId = enqueueJob(db, {
    kind: request.kind,
    itemId: request.itemId,
    params: parsed.data as Record<string, unknown>,
    requestedBy: request.requestedBy,
    batchId: request.batchId,
    costUsd: estimatedUsd,
  });
  return { jobId, estimatedUsd };
}
