/**
 * The batch estimate as an offload task (lib/offload/pool.ts): POST /api/batches/estimate runs it on
 * the offload worker, so a text filter's grouping (about 1 s at 1.5M items) or the first estimate
 * after an import never holds the server's thread while reviewers claim and decide.
 */
import type { Db } from '@/db';
import type { OffloadTask } from '@/lib/offload/pool';
import type { OpenAIConfig } from '@/lib/openai/config';
import { estimateBatch, type BatchEstimate } from './batch';

type EstimateRequest = Parameters<typeof estimateBatch>[2];

export function estimateTask(db: Db, config: OpenAIConfig, request: EstimateRequest): BatchEstimate {
  return estimateBatch(db, config, request);
}

export const ESTIMATE_BATCH: OffloadTask<[config: OpenAIConfig, request: EstimateRequest], BatchEstimate> = {
  module: 'lib/batches/offload.ts',
  name: 'estimateTask',
  run: estimateTask,
};
