import type { Db } from '@/db';
import type { JobKind } from '@/db/schema';
import { enqueueJob } from '../jobs/jobs';
import type { RegenerateConfig } from './config';
import { estimateImageEdit, estimateRewrite } from './prices';
import { chooseBucket } from './recipe';
import { canRegeneratePair, itemFacts } from './item-facts';
import { regenerateParams, rewriteParams } from './runners';
import { LoupeError } from '@/lib/errors';

/** What one job is expected to cost, from the price table (the actual cost comes from usage). */
export function estimateJob(config: RegenerateConfig, kind: JobKind, item: { width: number; height: number }, quality?: string): number {
  if (kind === 'rewrite') return estimateRewrite(config.LOUPE_TEXT_MODEL);
  const bucket = chooseBucket(item.width, item.height);
  const one = estimateImageEdit(config.LOUPE_IMAGE_MODEL, quality ?? config.LOUPE_IMAGE_QUALITY, `${bucket.width}x${bucket.height}`);
  return kind === 'regenerate_pair' ? 2 * one : one;
}

export interface JobRequest {
  kind: JobKind;
  itemId: number;
  requestedBy: string;
  params?: unknown;
  batchId?: number;
}

/** Validates and queues a regeneration or rewrite of one item. */
export function requestJob(db: Db, config: RegenerateConfig, request: JobRequest): { jobId: number; estimatedUsd: number } {
  if (!config.OPENAI_API_KEY) {
    throw new LoupeError('invalid', 'Regeneration is not configured on this server: set OPENAI_API_KEY (and OPENAI_BASE_URL if needed).');
  }
  const item = itemFacts(db, request.itemId);
  if (!item) throw new LoupeError('not_found', `item ${request.itemId} not found`);
  const parsed = (request.kind === 'rewrite' ? rewriteParams : regenerateParams).safeParse(request.params ?? {});
  if (!parsed.success) throw new LoupeError('invalid', `invalid job parameters: ${parsed.error.issues[0].message}`);
  if (request.kind === 'regenerate_pair' && !canRegeneratePair(item)) {
    throw new LoupeError('invalid', 'pair regeneration is for HQ-Edit generate items with an input_description');
  }
  const quality = 'quality' in parsed.data ? parsed.data.quality : undefined;
  const estimatedUsd = estimateJob(config, request.kind, item, quality);
  const jobId = enqueueJob(db, {
    kind: request.kind,
    itemId: request.itemId,
    params: parsed.data,
    requestedBy: request.requestedBy,
    batchId: request.batchId,
    costUsd: estimatedUsd,
  });
  return { jobId, estimatedUsd };
}
