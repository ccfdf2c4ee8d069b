import type { ImageRef } from './images';
import { instructionFields, PROMOTED_FIELDS, type ExportItem, type LineRow } from './selection';

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

const PROMOTED = new Set<string>(PROMOTED_FIELDS);

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
    ...instructionFields(item.firstVersion, item.version),
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

/**
 * A record of `--images none` as its JSON line: a LineRow's halves (written by SQLite: taskPages `lines`,
 * lib/export/selection.ts) around the image references. jsonl writes a million of them, so no record
 * object is made. The same fields in the same order as JSON.stringify(itemRecord(...)), byte for byte for
 * the records Loupe stores (item-record.test.ts checks the two against each other). The row's `head` and
 * `tail` must be set, and `refs` come from ImagePlacer.referencesByName (content-addressed names).
 */
export function recordLine(row: LineRow, refs: { source: ImageRef; edited: ImageRef }): string {
  const original = row.instruction_original === null ? '' : `,"instruction_original":${JSON.stringify(row.instruction_original)}`;
  return `${row.head!.slice(0, -1)}${original},"source_ref":${refJson(refs.source)},"edited_ref":${refJson(refs.edited)},${row.tail!.slice(1)}`;
}

/** JSON of the store roots seen (a handful): most of a reference's text, made once. */
const rootJson = new Map<string, string>();

/** A reference from ImagePlacer.referencesByName: its path and SHA-256 are a store name's characters (no escaping). */
function refJson(ref: ImageRef): string {
  let root = rootJson.get(ref.root);
  if (root === undefined) {
    root = `{"root":${JSON.stringify(ref.root)},"path":"`;
    if (rootJson.size < 100) rootJson.set(ref.root, root);
  }
  return `${root}${ref.path}","sha256":"${ref.sha256}"}`;
}
