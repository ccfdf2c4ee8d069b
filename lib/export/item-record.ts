import type { ImageRef } from './images';
import { instructionFields, type ExportItem } from './selection';

/**
 * The self-describing record of the jsonl, webdataset and parquet formats: one flat
 * object per triplet, with the review's outcome beside the data.
 */
export interface ItemRecord {
  id: string;
  dataset: string;
  family: string;
  task: string;
  instruction: string;
  instruction_type: string;
  instruction_original?: string;
  /** Image paths relative to the export folder (jsonl only). */
  source?: string;
  edited?: string;
  /** Where the images are in the store, instead of files in the export (jsonl with `--images none`). */
  source_ref?: ImageRef;
  edited_ref?: ImageRef;
  /** Every other field of the imported record. */
  metadata: Record<string, unknown>;
  verdict: { decision: 'accept' | 'reject'; reviewer: string; reasons: string[]; comment?: string; at: string } | null;
  candidate: { origin: string; simulated: boolean; provenance: unknown };
}

/**
 * Fields the record carries at its top level (id, the chosen instruction) or that name
 * files of the source layout (input, output): left out of `metadata`.
 */
const PROMOTED = new Set(['id', 'instruction', 'instruction_type', 'instruction_original', 'input', 'output']);

export function itemRecord(
  item: ExportItem,
  images?: { source: string; edited: string } | { source_ref: ImageRef; edited_ref: ImageRef },
): ItemRecord {
  const metadata: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item.original)) if (!PROMOTED.has(key)) metadata[key] = value;
  const { verdict, candidate } = item;
  return {
    id: item.row.external_id,
    dataset: item.dataset,
    family: item.family,
    task: item.task,
    ...instructionFields(item.versions, item.version),
    ...images,
    metadata,
    verdict: verdict && {
      decision: verdict.decision,
      reviewer: verdict.reviewer,
      reasons: parseJson(verdict.reasons, []) as string[],
      ...(verdict.comment ? { comment: verdict.comment } : {}),
      at: new Date(verdict.created_at).toISOString(),
    },
    candidate: { origin: candidate.origin, simulated: candidate.simulated === 1, provenance: parseJson(candidate.provenance, {}) },
  };
}

function parseJson(text: string, fallback: unknown): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}
