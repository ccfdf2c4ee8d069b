import type OpenAI from 'openai';
import sharp from 'sharp';
import { z } from 'zod';
import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { maxImagePixels } from '../../images/check';
import { imageBytes } from '../../images/serve';
import type { OpenAIConfig } from '../../openai/config';
import { itemOf } from '../../openai/item-facts';
import { estimateRewrite, maxCompletionTokens, REWRITE_MAX_COMPLETION_TOKENS, textCost, worstCaseRewrite } from '../../openai/prices';
import { defineKind, type BatchHooks, type JobOutcome, type JobRunner } from '../kind';

/** Which candidate's edit to describe (default: the current one). */
export const rewriteParams = z.object({ candidateId: z.number().int().positive().optional() });

const REWRITE_PROMPT = `You see two images: first the source image, then the edited image.
Write one precise, imperative editing instruction that turns the source into the edited image.
Describe only what changed (objects, attributes, colours, style, layout), concretely enough that an
image editor could reproduce the edit, in one sentence of at most 40 words. Do not describe what
stayed the same.`;

const rewriteReply = z.object({ instruction: z.string().trim().min(3).max(2000) });

/** A data URL of an image, downscaled for upload (the model sees at most ~1024 px anyway). */
async function dataUrl(file: Buffer): Promise<string> {
  const png = await sharp(file, { limitInputPixels: maxImagePixels() })
    .rotate()
    .resize(1024, 1024, { fit: 'inside', withoutEnlargement: true })
    .png()
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** The rewrite's chat request: the prompt and the two images, a JSON reply, and the token cap worstCaseRewrite reserves for. */
export function rewriteRequest(model: string, sourceUrl: string, editedUrl: string): OpenAI.ChatCompletionCreateParamsNonStreaming {
  return {
    model,
    // The cap the reservation (worstCaseRewrite) is made for; a reasoning model's includes its thinking.
    max_completion_tokens: maxCompletionTokens(model, REWRITE_MAX_COMPLETION_TOKENS),
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: REWRITE_PROMPT },
          { type: 'image_url', image_url: { url: sourceUrl } },
          { type: 'image_url', image_url: { url: editedUrl } },
        ],
      },
    ],
    response_format: {
      type: 'json_schema',
      json_schema: {
        name: 'edit_instruction',
        strict: true,
        schema: {
          type: 'object',
          properties: { instruction: { type: 'string' } },
          required: ['instruction'],
          additionalProperties: false,
        },
      },
    },
  };
}

/** The rewrite's two halves: the request (both paths send it) and the answer's parsing and commit (both paths apply it). */
function rewriteHooks(db: Db, config: OpenAIConfig): BatchHooks {
  return {
    endpoint: '/v1/chat/completions',
    async request(job) {
      const params = rewriteParams.parse(job.params);
      const item = itemOf(db, job.itemId);
      const candidateId = params.candidateId ?? item.currentCandidateId;
      const hasOwnSource = statement<[number, number], number>(
        db,
        'SELECT source_path IS NOT NULL FROM candidates WHERE id = ? AND item_id = ?',
      )
        .pluck()
        .get(candidateId, job.itemId);
      if (hasOwnSource === undefined) throw new Error(`candidate ${candidateId} is not one of item ${job.itemId}'s`);
      const sourceFile = await (hasOwnSource ? imageBytes(db, 'candidate-source', candidateId) : imageBytes(db, 'source', job.itemId));
      const editedFile = await imageBytes(db, 'candidate', candidateId);
      if (!sourceFile || !editedFile) {
        throw new Error('an image file of this item is missing');
      }
      const model = config.LOUPE_TEXT_MODEL;
      const [sourceUrl, editedUrl] = [await dataUrl(sourceFile), await dataUrl(editedFile)];
      return { body: rewriteRequest(model, sourceUrl, editedUrl), worstCaseUsd: worstCaseRewrite(model), params: { candidateId } };
    },
    async apply(job, answer) {
      const completion = answer.body as OpenAI.ChatCompletion;
      const content = completion.choices?.[0]?.message?.content ?? '';
      let parsed: z.infer<typeof rewriteReply>;
      try {
        parsed = rewriteReply.parse(JSON.parse(content));
      } catch {
        throw new Error(`the model's reply is not the JSON asked for: ${JSON.stringify(content.slice(0, 200))}`);
      }
      const model = config.LOUPE_TEXT_MODEL;
      const costUsd = answer.priceFactor * (completion.usage ? textCost(model, completion.usage) : estimateRewrite(model));
      return {
        costUsd,
        commit: () => {
          const id = Number(
            statement(db, `INSERT INTO instruction_versions (item_id, kind, text, created_by) VALUES (?, 'rewrite', ?, ?)`).run(
              // The model; who asked is the job's requested_by (lib/auth/actors.ts).
              job.itemId,
              parsed.instruction,
              model,
            ).lastInsertRowid,
          );
          statement(db, 'UPDATE items SET current_instruction_id = ? WHERE id = ?').run(id, job.itemId);
          return { instructionId: id };
        },
      };
    },
  };
}

/**
 * Instruction rewrite, as the paper did with GPT-4o: the source and the (current or chosen)
 * edited image in, one instruction out as structured JSON, stored as a `rewrite` version.
 * A reply that does not parse fails the job; nothing is guessed.
 */
function rewriteRunner(db: Db, client: OpenAI, config: OpenAIConfig): JobRunner {
  const hooks = rewriteHooks(db, config);
  return async (job, signal, spend): Promise<JobOutcome> => {
    const started = Date.now();
    const { body, worstCaseUsd, params } = await hooks.request(job);
    const model = config.LOUPE_TEXT_MODEL;
    const { data, request_id } = await spend.paid(
      worstCaseUsd,
      () =>
        client.chat.completions
          .create(body as OpenAI.ChatCompletionCreateParamsNonStreaming, { signal, timeout: config.LOUPE_TEXT_TIMEOUT_MS })
          .withResponse(),
      (result) => (result.data.usage ? textCost(model, result.data.usage) : estimateRewrite(model)),
    );
    return hooks.apply(
      { ...job, params },
      {
        body: data,
        requestId: request_id,
        simulated: false,
        priceFactor: 1,
        durationMs: Date.now() - started,
      },
    );
  };
}

export const rewrite = defineKind({
  id: 'rewrite',
  label: 'Instruction rewrite',
  batchLabel: 'Rewrite instructions',
  params: rewriteParams,
  needsApiKey: true,
  holdsItem: true,
  batchable: true,
  costDependsOn: 'aspect',
  priority: 'interactive',
  estimate: (config) => estimateRewrite(config.LOUPE_TEXT_MODEL),
  runner: ({ db, openai, config }) => rewriteRunner(db, openai(), config),
  batch: ({ db, config }) => rewriteHooks(db, config),
});
