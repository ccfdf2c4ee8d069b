import type OpenAI from 'openai';
import { z } from 'zod';
import type { Db } from '@/db';
import { imageBytes } from '../../images/serve';
import { storeImage } from '../../images/store';
import type { OpenAIConfig } from '../../openai/config';
import { instructionText, itemOf } from '../../openai/item-facts';
import { estimateImageEdit, imageCost, worstCaseImageCall } from '../../openai/prices';
import { editImage, insertCandidate, sizeOf } from '../../regenerate/candidate';
import { checkPadding, chooseBucket, cropToSource, padToBucket } from '../../regenerate/recipe';
import { defineKind, type JobOutcome, type JobRunner } from '../kind';

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
 * The paper's regeneration recipe: pad the source to the nearest aspect bucket with white,
 * edit it with the current (or chosen) instruction, crop the padding box back out, resize
 * to the source's size, and check for residual padding.
 */
function regenerateRunner(db: Db, client: OpenAI, config: OpenAIConfig): JobRunner {
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
      kind: 'regenerate',
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
        candidateId: insertCandidate(
          db,
          job,
          { ...stored, width: restored.width, height: restored.height },
          {
            simulated: edit.simulated,
            paddingOk: padding.ok,
            provenance,
          },
        ),
      }),
    };
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
});
