import type OpenAI from 'openai';
import { z } from 'zod';
import type { Db } from '@/db';
import { imageBytes } from '../../images/serve';
import { storeImage } from '../../images/store';
import type { OpenAIConfig } from '../../openai/config';
import { instructionText, itemOf } from '../../openai/item-facts';
import { estimateImageEdit, imageCost, worstCaseImageCall, type ImageUsage } from '../../openai/prices';
import { editImage, insertCandidate, sizeOf } from '../../regenerate/candidate';
import { BATCH_UPLOAD_PNG, UPLOAD_PNG, bucketPlan, chooseBucket } from '../../regenerate/recipe';
import { padOffThread, restoreOffThread } from '../../regenerate/recipe-pool';
import { defineKind, type ApiAnswer, type BatchHooks, type JobOutcome, type JobRunner, type RunnableJob } from '../kind';

/** Which instruction version to edit with (default: the current one), and the image call's quality and input fidelity. */
export const regenerateParams = z.object({
  instructionVersionId: z.number().int().positive().optional(),
  quality: z.enum(['low', 'medium', 'high', 'auto']).optional(),
  inputFidelity: z.enum(['high', 'low']).optional(),
});

/** One image edit of the item's source, in its aspect bucket, at the asked (or configured) quality. */
export function estimateRegeneration(config: OpenAIConfig, item: { width: number; height: number }, quality?: string): number {
  const bucket = chooseBucket(item.width, item.height);
  return estimateImageEdit(config.LOUPE_IMAGE_MODEL, quality ?? config.LOUPE_IMAGE_QUALITY, sizeOf(bucket));
}

/**
 * The regeneration's two halves. The request pads the source into its bucket and sends it as JSON,
 * `images: [{ image_url: <base64 data URL> }]`, so it can also go through the Batch API, whose lines
 * are JSON bodies (no multipart). Researched for this (Dec 2026):
 * - the Batch API takes image edits and generations: openai-node 6.49.0 resources/batches.d.ts,
 *   BatchCreateParams.endpoint: "Currently `/v1/responses`, `/v1/chat/completions`, `/v1/embeddings`,
 *   `/v1/completions`, `/v1/moderations`, `/v1/images/generations`, `/v1/images/edits`, and
 *   `/v1/videos` are supported";
 * - the JSON request shape of POST /v1/images/edits is an `images` array of references, each
 *   `{ image_url }` (an https URL or a base64 data URL) or `{ file_id }`: openai/openai-python#3259
 *   and #3373 (review: "The URL/file-id edit shape is a JSON request with an `images` array of
 *   reference objects"), and gateways that mirror the API, theopenco/llmgateway#1756 ("accepts
 *   `images[]` entries with `image_url` or `file_id` … HTTPS or base64 image data URLs").
 * The synchronous runner still uploads multipart (editImage). A base64 PNG makes each line about 1-3 MB,
 * so an input file holds about a hundred before the 200 MB limit splits it (lib/openai-batch/input.ts).
 * The answer's image is cropped back to the source and stored.
 */
function regenerateHalves(db: Db, config: OpenAIConfig) {
  /** What a job sends, and where its source sits in the bucket (the answer's half needs only that, not the padded upload). */
  const subject = async (job: RunnableJob) => {
    const params = regenerateParams.parse(job.params);
    const item = itemOf(db, job.itemId);
    const instructionVersionId = params.instructionVersionId ?? item.currentInstructionId;
    const prompt = instructionText(db, job.itemId, instructionVersionId);
    const quality = params.quality ?? config.LOUPE_IMAGE_QUALITY;
    const sourceFile = await imageBytes(db, 'source', job.itemId); // checked bytes, read from the file recorded
    if (!sourceFile) throw new Error('the source image file is missing');
    // Deterministic: the answer half works the box out again rather than keep it for a day.
    const padded = await bucketPlan(sourceFile);
    return { params: { ...params, instructionVersionId }, prompt, quality, sourceFile, padded, size: sizeOf(padded.bucket) };
  };
  type Subject = Awaited<ReturnType<typeof subject>>;
  /** The padded upload, made on a recipe thread (lib/regenerate/recipe-pool.ts), as the answer's crop and check are. */
  const upload = async ({ sourceFile, padded }: Subject, png: { compressionLevel: number }) =>
    (await padOffThread(sourceFile, padded.bucket, png)).png;
  /** The edited (padded) image back to the source's frame, checked and stored; its cost at the answer's price. */
  const applyTo = async (
    { params, prompt, quality, padded, size }: Subject,
    job: RunnableJob,
    png: Buffer,
    usage: ImageUsage | undefined,
    answer: Omit<ApiAnswer, 'body'>,
  ): Promise<JobOutcome> => {
    const model = config.LOUPE_IMAGE_MODEL;
    const restored = await restoreOffThread(png, padded.box, padded.bucket, padded.source);
    const { padding } = restored;
    const stored = await storeImage(db, restored.png);
    const costUsd = answer.priceFactor * (usage ? imageCost(model, usage) : estimateImageEdit(model, quality, size));
    const provenance = {
      kind: 'regenerate',
      jobId: job.id,
      model,
      prompt,
      instructionVersionId: params.instructionVersionId,
      size,
      quality,
      inputFidelity: params.inputFidelity ?? null,
      paddingBox: padded.box,
      paddingCheck: { residualFraction: padding.residualFraction, edges: padding.edges, wrongSize: padding.wrongSize },
      requestId: answer.requestId,
      usage: usage ?? null,
      costUsd,
      ...(answer.priceFactor !== 1 ? { via: 'batch' } : {}),
      durationMs: answer.durationMs,
      requestedBy: job.requestedBy,
      requestedAt: job.createdAt,
      simulated: answer.simulated,
    };
    return {
      costUsd,
      commit: () => ({
        candidateId: insertCandidate(
          db,
          job,
          { ...stored, width: restored.width, height: restored.height },
          { simulated: answer.simulated, paddingOk: padding.ok, provenance },
        ),
      }),
    };
  };
  const hooks: BatchHooks = {
    endpoint: '/v1/images/edits',
    async request(job) {
      const resolved = await subject(job);
      const { params, prompt, quality, size } = resolved;
      const png = await upload(resolved, BATCH_UPLOAD_PNG);
      const model = config.LOUPE_IMAGE_MODEL;
      return {
        body: {
          model,
          prompt,
          images: [{ image_url: `data:image/png;base64,${png.toString('base64')}` }],
          size,
          quality,
          n: 1,
          ...(params.inputFidelity ? { input_fidelity: params.inputFidelity } : {}),
        },
        worstCaseUsd: worstCaseImageCall(model, quality, size, prompt, true),
        params,
      };
    },
    async apply(job, answer) {
      // A day later, the box is worked out again (deterministic) rather than kept.
      const response = answer.body as OpenAI.ImagesResponse;
      const b64 = response.data?.[0]?.b64_json;
      if (!b64) throw new Error('the API answered without an image');
      return applyTo(await subject(job), job, Buffer.from(b64, 'base64'), response.usage, answer);
    },
  };
  return { subject, upload, applyTo, hooks };
}

const regenerateHooks = (db: Db, config: OpenAIConfig): BatchHooks => regenerateHalves(db, config).hooks;

/**
 * The paper's regeneration recipe: pad the source to the nearest aspect bucket with white,
 * edit it with the current (or chosen) instruction, crop the padding box back out, resize
 * to the source's size, and check for residual padding. Synchronously the image goes up as a
 * multipart upload (editImage); the answer is applied by the same half as a Batch API line.
 */
function regenerateRunner(db: Db, client: OpenAI, config: OpenAIConfig): JobRunner {
  const { subject, upload, applyTo } = regenerateHalves(db, config);
  return async (job, signal, spend): Promise<JobOutcome> => {
    const started = Date.now();
    const resolved = await subject(job);
    const { params, prompt, quality, padded, size } = resolved;
    const png = await upload(resolved, UPLOAD_PNG);
    const model = config.LOUPE_IMAGE_MODEL;
    const edit = await spend.paid(
      worstCaseImageCall(model, quality, size, prompt, true),
      () => editImage(client, config, png, prompt, padded.bucket, quality, params.inputFidelity, signal),
      (result) => (result.usage ? imageCost(model, result.usage) : estimateImageEdit(model, quality, size)),
    );
    return applyTo(resolved, { ...job, params }, edit.png, edit.usage, {
      requestId: edit.requestId,
      simulated: edit.simulated,
      priceFactor: 1,
      durationMs: Date.now() - started,
    });
  };
}

export const regenerate = defineKind({
  id: 'regenerate',
  label: 'Regeneration',
  batchLabel: 'Regenerate images',
  params: regenerateParams,
  needsApiKey: true,
  holdsItem: true,
  batchable: true,
  costDependsOn: 'aspect',
  priority: 'interactive',
  estimate: (config, item, params) => estimateRegeneration(config, item, params.quality),
  runner: ({ db, openai, config }) => regenerateRunner(db, openai(), config),
  batch: ({ db, config }) => regenerateHooks(db, config),
});
