import type OpenAI from 'openai';
import sharp from 'sharp';
import { z } from 'zod';
import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { maxImagePixels } from '../../images/check';
import { imageBytes } from '../../images/serve';
import { LoupeError } from '../../errors';
import { defineKind, type BatchHooks, type JobOutcome, type JobRunner, type RunnableJob } from '../kind';
import type { OpenAIConfig } from '../../openai/config';
import { instructionText, itemFacts } from '../../openai/item-facts';
import { textCost } from '../../openai/prices';
import { isSimulated } from '../../openai/simulated';
import { upsertSignal } from '../../signals/store';
import {
  deriveScores,
  estimateJudge,
  JUDGE_MAX_SIDE,
  JUDGE_SIGNALS,
  judgeRequest,
  parseJudgeReply,
  PROMPT_VERSION,
  worstCaseJudge,
} from '../../signals/judge';

/** Which candidate to judge (default: the item's current one) against which instruction (default: the current one). */
export const judgeParams = z
  .object({
    candidateId: z.number().int().positive().optional(),
    instructionVersionId: z.number().int().positive().optional(),
  })
  .strict();

/** A data URL of an image, downscaled for upload. PNG, so no compression artifacts are added for the judge to see. */
async function judgeDataUrl(file: Buffer): Promise<string> {
  const png = await sharp(file, { limitInputPixels: maxImagePixels() })
    .rotate()
    .resize(JUDGE_MAX_SIDE, JUDGE_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
    .png()
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** The source and edited image files of a candidate (a pair regeneration brings its own source). */
async function imagePair(db: Db, itemId: number, candidateId: number): Promise<{ sourceFile: Buffer; editedFile: Buffer }> {
  const hasOwnSource = statement<[number, number], number>(
    db,
    'SELECT source_path IS NOT NULL FROM candidates WHERE id = ? AND item_id = ?',
  )
    .pluck()
    .get(candidateId, itemId);
  if (hasOwnSource === undefined) throw new Error(`candidate ${candidateId} is not one of item ${itemId}'s`);
  // Checked bytes, read from the files recorded (never reopened by path).
  const sourceFile = await (hasOwnSource ? imageBytes(db, 'candidate-source', candidateId) : imageBytes(db, 'source', itemId));
  const editedFile = await imageBytes(db, 'candidate', candidateId);
  if (!sourceFile || !editedFile) {
    throw new Error('an image file of this item is missing');
  }
  return { sourceFile, editedFile };
}

/** Replaces a candidate's judge signals (a new judgement supersedes the old one). Inside the job's transaction. */
function writeSignals(db: Db, row: { candidateId: number; itemId: number; jobId: number; values: Record<string, number>; detail: string }) {
  const datasetId = statement<[number], number>(db, 'SELECT dataset_id FROM items WHERE id = ?').pluck().get(row.itemId);
  if (datasetId === undefined) throw new Error(`item ${row.itemId} no longer exists`);
  const computedAt = Date.now();
  for (const [name, value] of Object.entries(row.values)) {
    upsertSignal(db, {
      candidateId: row.candidateId,
      itemId: row.itemId,
      datasetId,
      name,
      value,
      detail: row.detail,
      jobId: row.jobId,
      computedAt,
    });
  }
}

/**
 * The judge's two halves: the request (the source and the edited image, downscaled, with the
 * instruction) and the answer's parsing into signals, shared by the synchronous runner and the Batch API.
 */
function judgeHooks(db: Db, config: OpenAIConfig): BatchHooks {
  /** The item, candidate and instruction a job judges (resolved ids are pinned in its params by `request`). */
  const subject = (job: RunnableJob) => {
    const params = judgeParams.parse(job.params);
    const item = itemFacts(db, job.itemId);
    if (!item) throw new Error(`item ${job.itemId} no longer exists`);
    const candidateId = params.candidateId ?? item.currentCandidateId;
    const instructionVersionId = params.instructionVersionId ?? item.currentInstructionId;
    return { item, candidateId, instructionVersionId, instruction: instructionText(db, job.itemId, instructionVersionId) };
  };
  return {
    endpoint: '/v1/chat/completions',
    async request(job) {
      const { item, candidateId, instructionVersionId, instruction } = subject(job);
      const { sourceFile, editedFile } = await imagePair(db, job.itemId, candidateId);
      const [sourceUrl, editedUrl] = await Promise.all([judgeDataUrl(sourceFile), judgeDataUrl(editedFile)]);
      const model = config.LOUPE_JUDGE_MODEL;
      return {
        body: judgeRequest({ model, instruction, sourceUrl, editedUrl, detail: config.LOUPE_JUDGE_DETAIL }),
        worstCaseUsd: worstCaseJudge(config, item, instruction),
        params: { candidateId, instructionVersionId },
      };
    },
    async apply(job, answer) {
      const { item, candidateId, instructionVersionId } = subject(job);
      const completion = answer.body as OpenAI.ChatCompletion;
      const model = config.LOUPE_JUDGE_MODEL;
      const choice = completion.choices?.[0];
      const reply = parseJudgeReply(choice?.message?.content, { refusal: choice?.message?.refusal, finishReason: choice?.finish_reason });
      const derived = deriveScores(reply);
      const costUsd = answer.priceFactor * (completion.usage ? textCost(model, completion.usage) : estimateJudge(config, item));
      const detail = JSON.stringify({
        model,
        promptVersion: PROMPT_VERSION,
        imageDetail: config.LOUPE_JUDGE_DETAIL,
        scores: {
          editing_success: reply.editing_success,
          over_editing: reply.over_editing,
          naturalness: reply.naturalness,
          artifacts: reply.artifacts,
        },
        sc: derived.sc,
        pq: derived.pq,
        overall: derived.overall,
        reasoning: reply.reasoning,
        instructionVersionId,
        requestId: answer.requestId,
        simulated: answer.simulated,
        usage: completion.usage
          ? { prompt_tokens: completion.usage.prompt_tokens, completion_tokens: completion.usage.completion_tokens }
          : null,
        costUsd,
        // Through the Batch API: answered within its 24 h window, at its price.
        ...(answer.priceFactor !== 1 ? { via: 'batch' } : {}),
        durationMs: answer.durationMs,
        requestedBy: job.requestedBy,
      });
      return {
        costUsd,
        commit: () => {
          writeSignals(db, {
            candidateId,
            itemId: job.itemId,
            jobId: job.id,
            values: { [JUDGE_SIGNALS.sc]: derived.sc, [JUDGE_SIGNALS.pq]: derived.pq, [JUDGE_SIGNALS.overall]: derived.overall },
            detail,
          });
          return {};
        },
      };
    },
  };
}

/**
 * The VLM judge job: the source and the (current or chosen) edited image, with the instruction,
 * to a vision model; its four 0-10 scores become the candidate's judge_sc, judge_pq and
 * judge_overall signals. A reply that does not parse fails the job; nothing is guessed.
 */
function judgeRunner(db: Db, client: OpenAI, config: OpenAIConfig): JobRunner {
  const hooks = judgeHooks(db, config);
  return async (job, signal, spend): Promise<JobOutcome> => {
    const started = Date.now();
    const { body, worstCaseUsd, params } = await hooks.request(job);
    const model = config.LOUPE_JUDGE_MODEL;
    const { data, response, request_id } = await spend.paid(
      worstCaseUsd,
      () =>
        client.chat.completions
          .create(body as OpenAI.ChatCompletionCreateParamsNonStreaming, { signal, timeout: config.LOUPE_TEXT_TIMEOUT_MS })
          .withResponse(),
      (result) => (result.data.usage ? textCost(model, result.data.usage) : estimateJudge(config, itemFacts(db, job.itemId)!)),
    );
    return hooks.apply(
      { ...job, params },
      { body: data, requestId: request_id, simulated: isSimulated(response.headers), priceFactor: 1, durationMs: Date.now() - started },
    );
  };
}

export const judge = defineKind({
  id: 'judge',
  label: 'VLM judgement',
  batchLabel: 'Score with the VLM judge',
  params: judgeParams,
  needsApiKey: true,
  // It scores the item and changes nothing: the item stays in the queue (and on the page).
  holdsItem: false,
  batchable: true,
  // Its image tokens follow each size.
  costDependsOn: 'size',
  priority: 'interactive',
  estimate: (config, item) => estimateJudge(config, item),
  check: (db, itemId, item, { candidateId, instructionVersionId }) => {
    if (candidateId !== undefined && !statement(db, 'SELECT 1 FROM candidates WHERE id = ? AND item_id = ?').get(candidateId, itemId)) {
      throw new LoupeError('invalid', `candidate ${candidateId} is not one of item ${itemId}'s`);
    }
    if (
      instructionVersionId !== undefined &&
      !statement(db, 'SELECT 1 FROM instruction_versions WHERE id = ? AND item_id = ?').get(instructionVersionId, itemId)
    ) {
      throw new LoupeError('invalid', `instruction version ${instructionVersionId} is not one of item ${itemId}'s`);
    }
  },
  runner: ({ db, openai, config }) => judgeRunner(db, openai(), config),
  batch: ({ db, config }) => judgeHooks(db, config),
});
