import OpenAI, { toFile } from 'openai';
import sharp from 'sharp';
import { z } from 'zod';
import type { Db } from '@/db';
import { statement } from '@/db/statements';
import type { JobKind } from '@/db/schema';
import { maxImagePixels } from '../images/check';
import { imageBytes } from '../images/serve';
import { judgeRunner } from '../signals/judge-runner';
import { storeImage, type StoredImage } from '../images/store';
import type { JobRow } from '../jobs/jobs';
import type { JobOutcome, JobRunner } from '../jobs/worker';
import type { RegenerateConfig } from './config';
import { inputDescription, itemFacts, type ItemFacts } from './item-facts';
import { estimateImageEdit, estimateRewrite, imageCost, maxCompletionTokens, REWRITE_MAX_COMPLETION_TOKENS, textCost, worstCaseImageCall, worstCaseRewrite, type ImageUsage } from './prices';
import { checkPadding, chooseBucket, cropToSource, padToBucket, type Box, type Bucket } from './recipe';

/** The local OpenAI-compatible server marks its answers so candidates show as simulated. */
export const SIMULATED_HEADER = 'x-loupe-simulated';

export const regenerateParams = z.object({
  instructionVersionId: z.number().int().positive().optional(),
  quality: z.enum(['low', 'medium', 'high', 'auto']).optional(),
  inputFidelity: z.enum(['high', 'low']).optional(),
});

export const rewriteParams = z.object({ candidateId: z.number().int().positive().optional() });

/** The item, or an error for the job: it was deleted after the job was queued. */
function itemOf(db: Db, itemId: number): ItemFacts {
  const item = itemFacts(db, itemId);
  if (!item) throw new Error(`item ${itemId} no longer exists`);
  return item;
}

function instructionText(db: Db, itemId: number, versionId: number): string {
  const text = statement<[number, number], string>(db, 'SELECT text FROM instruction_versions WHERE id = ? AND item_id = ?')
    .pluck()
    .get(versionId, itemId);
  if (text === undefined) throw new Error(`instruction version ${versionId} is not one of item ${itemId}'s`);
  return text;
}

const sizeOf = (bucket: Bucket) => `${bucket.width}x${bucket.height}` as const;

/** Adds a regenerated candidate and makes it the item's current one (inside the job's transaction). */
function insertCandidate(
  db: Db,
  job: JobRow,
  image: StoredImage & { width: number; height: number },
  extra: { simulated: boolean; paddingOk: boolean; provenance: Record<string, unknown>; source?: StoredImage & { width: number; height: number } },
): number {
  const id = Number(
    statement(
      db,
      `INSERT INTO candidates (item_id, origin, root_id, path, width, height, provenance, job_id, simulated, padding_ok,
         source_root_id, source_path, source_width, source_height, file_id, source_file_id)
       VALUES (?, 'regenerated', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      job.itemId, image.rootId, image.path, image.width, image.height, JSON.stringify(extra.provenance), job.id,
      extra.simulated ? 1 : 0, extra.paddingOk ? 1 : 0, extra.source?.rootId ?? null, extra.source?.path ?? null,
      extra.source?.width ?? null, extra.source?.height ?? null, image.fileId, extra.source?.fileId ?? null,
    ).lastInsertRowid,
  );
  statement(db, 'UPDATE items SET current_candidate_id = ? WHERE id = ?').run(id, job.itemId);
  return id;
}

interface EditResult {
  png: Buffer;
  usage?: ImageUsage;
  requestId: string | null;
  simulated: boolean;
}

/** One images.edit call with the recipe's padded upload (explicit PNG mime type). */
async function editImage(
  client: OpenAI,
  config: RegenerateConfig,
  upload: Buffer,
  prompt: string,
  bucket: Bucket,
  quality: string,
  inputFidelity: 'high' | 'low' | undefined,
  signal: AbortSignal,
): Promise<EditResult> {
  const { data, response, request_id } = await client.images
    .edit(
      {
        model: config.LOUPE_IMAGE_MODEL,
        image: await toFile(upload, 'source.png', { type: 'image/png' }),
        prompt,
        size: sizeOf(bucket),
        quality: quality as 'high',
        n: 1,
        ...(inputFidelity ? { input_fidelity: inputFidelity } : {}),
      },
      { signal, timeout: config.LOUPE_IMAGE_TIMEOUT_MS },
    )
    .withResponse();
  const b64 = data.data?.[0]?.b64_json;
  if (!b64) throw new Error('the API answered without an image');
  return { png: Buffer.from(b64, 'base64'), usage: data.usage, requestId: request_id, simulated: response.headers.get(SIMULATED_HEADER) === '1' };
}

/**
 * The paper's regeneration recipe: pad the source to the nearest aspect bucket with white,
 * edit it with the current (or chosen) instruction, crop the padding box back out, resize
 * to the source's size, and check for residual padding.
 */
export function regenerateRunner(db: Db, client: OpenAI, config: RegenerateConfig): JobRunner {
  return async (job, signal, spend): Promise<JobOutcome> => {
    const started = Date.now();
    const params = regenerateParams.parse(job.params);
    const item = itemOf(db, job.itemId);
    const instructionVersionId = params.instructionVersionId ?? item.currentInstructionId;
    const prompt = instructionText(db, job.itemId, instructionVersionId);
    const quality = params.quality ?? config.LOUPE_IMAGE_QUALITY;
    const model = config.LOUPE_IMAGE_MODEL;
    const sourceFile = await imageBytes(db, 'source', job.itemId); // checked bytes, read from the file recorded
    if (!sourceFile) throw new Error('the source image file is missing');

    const padded = await padToBucket(sourceFile);
    const size = sizeOf(padded.bucket);
    const edit = await spend.paid(
      worstCaseImageCall(model, quality, size, prompt, true),
      () => editImage(client, config, padded.png, prompt, padded.bucket, quality, params.inputFidelity, signal),
      (result) => (result.usage ? imageCost(model, result.usage) : estimateImageEdit(model, quality, size)),
    );
    const restored = await cropToSource(edit.png, padded.box, padded.bucket, padded.source);
    const padding = await checkPadding(restored.png, { wrongSize: restored.wrongSize });
    const stored = await storeImage(db, restored.png);
    const costUsd = edit.usage
      ? imageCost(config.LOUPE_IMAGE_MODEL, edit.usage)
      : estimateImageEdit(config.LOUPE_IMAGE_MODEL, quality, sizeOf(padded.bucket));
    const provenance = {
      kind: 'regenerate' as JobKind,
      jobId: job.id,
      model: config.LOUPE_IMAGE_MODEL,
      prompt,
      instructionVersionId,
      size: sizeOf(padded.bucket),
      quality,
      inputFidelity: params.inputFidelity ?? null,
      paddingBox: padded.box,
      paddingCheck: { residualFraction: padding.residualFraction, edges: padding.edges, wrongSize: padding.wrongSize },
      requestId: edit.requestId,
      usage: edit.usage ?? null,
      costUsd,
      durationMs: Date.now() - started,
      requestedBy: job.requestedBy,
      requestedAt: job.createdAt,
      simulated: edit.simulated,
    };
    return {
      costUsd,
      commit: () => ({
        candidateId: insertCandidate(db, job, { ...stored, width: restored.width, height: restored.height }, {
          simulated: edit.simulated,
          paddingOk: padding.ok,
          provenance,
        }),
      }),
    };
  };
}

/**
 * The paper's pair regeneration for HQ-Edit `generate` items: a new source image from the
 * record's input_description (images.generate), then the edit of that new source. The
 * candidate carries its own source.
 */
export function regeneratePairRunner(db: Db, client: OpenAI, config: RegenerateConfig): JobRunner {
  return async (job, signal, spend): Promise<JobOutcome> => {
    const started = Date.now();
    const params = regenerateParams.parse(job.params);
    const item = itemOf(db, job.itemId);
    const description = inputDescription(item.metadata);
    if (!description) throw new Error('this item has no input_description to generate a source image from');
    const instructionVersionId = params.instructionVersionId ?? item.currentInstructionId;
    const prompt = instructionText(db, job.itemId, instructionVersionId);
    const quality = params.quality ?? config.LOUPE_IMAGE_QUALITY;
    const bucket = chooseBucket(item.width, item.height);

    const model = config.LOUPE_IMAGE_MODEL;
    const estimate = estimateImageEdit(model, quality, sizeOf(bucket));
    const worstGenerate = worstCaseImageCall(model, quality, sizeOf(bucket), description, false);
    const worstEdit = worstCaseImageCall(model, quality, sizeOf(bucket), prompt, true);
    // Both calls paid for up front: a budget that runs out between them would pay the first twice (on retry).
    spend.reserveAhead(worstGenerate + worstEdit);
    const generated = await spend.paid(
      worstGenerate,
      () =>
        client.images
          .generate(
            { model, prompt: description, size: sizeOf(bucket), quality: quality as 'high', n: 1 },
            { signal, timeout: config.LOUPE_IMAGE_TIMEOUT_MS },
          )
          .withResponse(),
      (result) => (result.data.usage ? imageCost(model, result.data.usage) : estimate),
    );
    const b64 = generated.data.data?.[0]?.b64_json;
    if (!b64) throw new Error('the API answered without an image');
    // The generated source already has the bucket's size: nothing to pad, the box is all of it.
    const source = await sharp(Buffer.from(b64, 'base64')).resize(bucket.width, bucket.height, { fit: 'fill' }).png().toBuffer();
    const box: Box = { left: 0, top: 0, width: bucket.width, height: bucket.height };
    const edit = await spend.paid(
      worstEdit,
      () => editImage(client, config, source, prompt, bucket, quality, params.inputFidelity, signal),
      (result) => (result.usage ? imageCost(model, result.usage) : estimate),
    );
    const restored = await cropToSource(edit.png, box, bucket, bucket);
    const padding = await checkPadding(restored.png, { wrongSize: restored.wrongSize });
    const [storedSource, storedEdit] = [await storeImage(db, source), await storeImage(db, restored.png)];
    const costUsd =
      (generated.data.usage ? imageCost(config.LOUPE_IMAGE_MODEL, generated.data.usage) : estimateImageEdit(config.LOUPE_IMAGE_MODEL, quality, sizeOf(bucket))) +
      (edit.usage ? imageCost(config.LOUPE_IMAGE_MODEL, edit.usage) : estimateImageEdit(config.LOUPE_IMAGE_MODEL, quality, sizeOf(bucket)));
    const simulated = edit.simulated || generated.response.headers.get(SIMULATED_HEADER) === '1';
    const provenance = {
      kind: 'regenerate_pair' as JobKind,
      jobId: job.id,
      model: config.LOUPE_IMAGE_MODEL,
      sourcePrompt: description,
      prompt,
      instructionVersionId,
      size: sizeOf(bucket),
      quality,
      inputFidelity: params.inputFidelity ?? null,
      paddingBox: box,
      paddingCheck: { residualFraction: padding.residualFraction, edges: padding.edges, wrongSize: padding.wrongSize },
      requestId: edit.requestId,
      sourceRequestId: generated.request_id,
      usage: { generate: generated.data.usage ?? null, edit: edit.usage ?? null },
      costUsd,
      durationMs: Date.now() - started,
      requestedBy: job.requestedBy,
      requestedAt: job.createdAt,
      simulated,
    };
    return {
      costUsd,
      commit: () => ({
        candidateId: insertCandidate(db, job, { ...storedEdit, width: restored.width, height: restored.height }, {
          simulated,
          paddingOk: padding.ok,
          provenance,
          source: { ...storedSource, width: bucket.width, height: bucket.height },
        }),
      }),
    };
  };
}

const REWRITE_PROMPT = `You see two images: first the source image, then the edited image.
Write one precise, imperative editing instruction that turns the source into the edited image.
Describe only what changed (objects, attributes, colours, style, layout), concretely enough that an
image editor could reproduce the edit, in one sentence of at most 40 words. Do not describe what
stayed the same.`;

const rewriteReply = z.object({ instruction: z.string().trim().min(3).max(2000) });

/** A data URL of an image, downscaled for upload (the model sees at most ~1024 px anyway). */
async function dataUrl(file: Buffer): Promise<string> {
  const png = await sharp(file, { limitInputPixels: maxImagePixels() }).rotate().resize(1024, 1024, { fit: 'inside', withoutEnlargement: true }).png().toBuffer();
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

/**
 * Instruction rewrite, as the paper did with GPT-4o: the source and the (current or chosen)
 * edited image in, one instruction out as structured JSON, stored as a `rewrite` version.
 * A reply that does not parse fails the job; nothing is guessed.
 */
export function rewriteRunner(db: Db, client: OpenAI, config: RegenerateConfig): JobRunner {
  return async (job, signal, spend): Promise<JobOutcome> => {
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
    const request = rewriteRequest(model, sourceUrl, editedUrl);
    const completion = await spend.paid(
      worstCaseRewrite(model),
      () => client.chat.completions.create(request, { signal, timeout: config.LOUPE_TEXT_TIMEOUT_MS }),
      (result) => (result.usage ? textCost(model, result.usage) : estimateRewrite(model)),
    );
    const content = completion.choices[0]?.message?.content ?? '';
    let parsed: z.infer<typeof rewriteReply>;
    try {
      parsed = rewriteReply.parse(JSON.parse(content));
    } catch {
      throw new Error(`the model's reply is not the JSON asked for: ${JSON.stringify(content.slice(0, 200))}`);
    }
    const costUsd = completion.usage ? textCost(model, completion.usage) : estimateRewrite(model);
    return {
      costUsd,
      commit: () => {
        const id = Number(
          statement(db, `INSERT INTO instruction_versions (item_id, kind, text, created_by) VALUES (?, 'rewrite', ?, ?)`).run(
            // The model; who asked is the job's requested_by (lib/auth/actors.ts).
            job.itemId, parsed.instruction, config.LOUPE_TEXT_MODEL,
          ).lastInsertRowid,
        );
        statement(db, 'UPDATE items SET current_instruction_id = ? WHERE id = ?').run(id, job.itemId);
        return { instructionId: id };
      },
    };
  };
}

/** The runners of the jobs that call the OpenAI API, sharing one client. */
export function jobRunners(
  db: Db,
  client: OpenAI,
  config: RegenerateConfig,
): Record<'regenerate' | 'regenerate_pair' | 'rewrite' | 'judge', JobRunner> {
  return {
    regenerate: regenerateRunner(db, client, config),
    regenerate_pair: regeneratePairRunner(db, client, config),
    rewrite: rewriteRunner(db, client, config),
    judge: judgeRunner(db, client, config),
  };
}
