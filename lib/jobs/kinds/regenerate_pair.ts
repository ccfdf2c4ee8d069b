import type OpenAI from 'openai';
import sharp from 'sharp';
import type { Db } from '@/db';
import { storeImage } from '../../images/store';
import type { OpenAIConfig } from '../../openai/config';
import { inputDescription, instructionText, itemOf } from '../../openai/item-facts';
import { estimateImageEdit, imageCost, worstCaseImageCall } from '../../openai/prices';
import { isSimulated } from '../../openai/simulated';
import { editImage, insertCandidate, sizeOf } from '../../regenerate/candidate';
import { chooseBucket, type Box } from '../../regenerate/recipe';
import { restoreOffThread } from '../../regenerate/recipe-pool';
import { LoupeError } from '../../errors';
import { defineKind, type JobOutcome, type JobRunner } from '../kind';
import { estimateRegeneration, regenerateParams } from './regenerate';

/** Pair regeneration is the paper's recipe for HQ-Edit `generate` items, which have a source description. */
export function canRegeneratePair(item: { family: string; task: string; metadata: string }): boolean {
  return item.family === 'hqedit' && item.task === 'generate' && inputDescription(item.metadata) !== undefined;
}

/**
 * The paper's pair regeneration for HQ-Edit `generate` items: a new source image from the
 * record's input_description (images.generate), then the edit of that new source. The
 * candidate carries its own source.
 */
function regeneratePairRunner(db: Db, client: OpenAI, config: OpenAIConfig): JobRunner {
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
    const restored = await restoreOffThread(edit.png, box, bucket, bucket);
    const { padding } = restored;
    const [storedSource, storedEdit] = [await storeImage(db, source), await storeImage(db, restored.png)];
    const costUsd =
      (generated.data.usage
        ? imageCost(config.LOUPE_IMAGE_MODEL, generated.data.usage)
        : estimateImageEdit(config.LOUPE_IMAGE_MODEL, quality, sizeOf(bucket))) +
      (edit.usage ? imageCost(config.LOUPE_IMAGE_MODEL, edit.usage) : estimateImageEdit(config.LOUPE_IMAGE_MODEL, quality, sizeOf(bucket)));
    const simulated = edit.simulated || isSimulated(generated.response.headers);
    const provenance = {
      kind: 'regenerate_pair',
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
        candidateId: insertCandidate(
          db,
          job,
          { ...storedEdit, width: restored.width, height: restored.height },
          {
            simulated,
            paddingOk: padding.ok,
            provenance,
            source: { ...storedSource, width: bucket.width, height: bucket.height },
          },
        ),
      }),
    };
  };
}

export const regeneratePair = defineKind({
  id: 'regenerate_pair',
  label: 'Pair regeneration',
  params: regenerateParams,
  needsApiKey: true,
  holdsItem: true,
  // Per item only: few items of a dataset are HQ-Edit generate items.
  batchable: false,
  priority: 'interactive',
  // Two image calls: the new source, then its edit.
  estimate: (config, item, params) => 2 * estimateRegeneration(config, item, params.quality),
  check: (db, itemId, item) => {
    if (!canRegeneratePair(item))
      throw new LoupeError('invalid', 'pair regeneration is for HQ-Edit generate items with an input_description');
  },
  runner: ({ db, openai, config }) => regeneratePairRunner(db, openai(), config),
});
