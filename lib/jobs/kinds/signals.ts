import { z } from 'zod';
import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { imageBytes } from '../../images/serve';
import { SIGNALS_JOB_KIND } from '../../signals/queue';
import { measurePair, pairSignalRows, prepareSource, type PreparedSource, type SignalValue } from '../../signals/measure';
import { upsertSignal } from '../../signals/store';
import { defineKind, type JobOutcome, type JobRunner } from '../kind';

/** A signals job measures the item's current candidate, a chosen one, or all of the item's candidates. */
export const signalsParams = z.object({
  candidateId: z.number().int().positive().optional(),
  allCandidates: z.boolean().optional(),
});
export type SignalsParams = z.infer<typeof signalsParams>;

interface Target {
  candidateId: number;
  /** The candidate carries its own source (a pair regeneration); otherwise the item's source. */
  ownSource: boolean;
}

function targetsOf(db: Db, itemId: number, params: SignalsParams): { datasetId: number; targets: Target[] } {
  const item = statement<[number], { datasetId: number; current: number }>(
    db,
    'SELECT dataset_id AS datasetId, current_candidate_id AS current FROM items WHERE id = ?',
  ).get(itemId);
  if (!item) throw new Error(`item ${itemId} no longer exists`);
  const candidates = statement<[number], { candidateId: number; ownSource: number }>(
    db,
    'SELECT id AS candidateId, source_path IS NOT NULL AS ownSource FROM candidates WHERE item_id = ? ORDER BY id',
  ).all(itemId);
  const wanted = params.allCandidates ? undefined : (params.candidateId ?? item.current);
  const targets = candidates
    .filter((c) => wanted === undefined || c.candidateId === wanted)
    .map((c) => ({ candidateId: c.candidateId, ownSource: c.ownSource === 1 }));
  if (wanted !== undefined && targets.length === 0) throw new Error(`candidate ${wanted} is not one of item ${itemId}'s`);
  return { datasetId: item.datasetId, targets };
}

function existingFile(file: Buffer | undefined, what: string): Buffer {
  if (!file) throw new Error(`the ${what} image file is missing`);
  return file;
}

/**
 * The `signals` job: decodes the source and the edited image(s) with no transaction open
 * (a source shared by several candidates once), and writes the per-candidate signals
 * (padding_residual, ssim, changed_fraction, phash) in the job's completion transaction.
 * Local CPU work only: it costs nothing.
 */
function signalsRunner(db: Db): JobRunner {
  return async (job, signal): Promise<JobOutcome> => {
    const params = signalsParams.parse(job.params);
    const { datasetId, targets } = targetsOf(db, job.itemId, params);
    const sources = new Map<string, Promise<PreparedSource>>();
    const results: { candidateId: number; rows: SignalValue[] }[] = [];
    for (const target of targets) {
      signal.throwIfAborted();
      // Checked bytes, read from the files recorded (never reopened by path); a shared source once.
      const sourceKey = target.ownSource ? `candidate-source ${target.candidateId}` : 'source';
      let source = sources.get(sourceKey);
      if (!source) {
        const sourceFile = existingFile(
          await (target.ownSource ? imageBytes(db, 'candidate-source', target.candidateId) : imageBytes(db, 'source', job.itemId)),
          'source',
        );
        sources.set(sourceKey, (source = prepareSource(sourceFile)));
      }
      const editFile = existingFile(await imageBytes(db, 'candidate', target.candidateId), `candidate ${target.candidateId}'s edited`);
      results.push({ candidateId: target.candidateId, rows: pairSignalRows(await measurePair(await source, editFile)) });
    }
    return {
      costUsd: 0,
      commit: () => {
        const computedAt = Date.now();
        for (const { candidateId, rows } of results) {
          for (const row of rows) {
            upsertSignal(db, {
              candidateId,
              itemId: job.itemId,
              datasetId,
              name: row.name,
              value: row.value,
              detail: JSON.stringify(row.detail),
              jobId: job.id,
              computedAt,
            });
          }
        }
        return {};
      },
    };
  };
}

export const signals = defineKind({
  id: SIGNALS_JOB_KIND,
  label: 'Signal computation',
  params: signalsParams,
  needsApiKey: false,
  holdsItem: false,
  batchable: false,
  // Queued for a whole filter at once (lib/signals/queue.ts), so it waits behind what people asked for.
  priority: 'bulk',
  estimate: () => 0,
  runner: ({ db }) => signalsRunner(db),
});
