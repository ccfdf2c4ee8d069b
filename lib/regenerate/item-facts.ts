import type { Db } from '@/db';
import { statement } from '@/db/statements';

/** What regeneration needs to know about an item (one query, shared by requests and runners). */
export interface ItemFacts {
  family: string;
  task: string;
  metadata: string;
  width: number;
  height: number;
  currentInstructionId: number;
  currentCandidateId: number;
}

export function itemFacts(db: Db, itemId: number): ItemFacts | undefined {
  return statement<[number], ItemFacts>(
    db,
    `SELECT family, task, metadata, source_width AS width, source_height AS height,
            current_instruction_id AS currentInstructionId, current_candidate_id AS currentCandidateId
     FROM items WHERE id = ?`,
  ).get(itemId);
}

/** The record's input_description, when it has a non-empty one. */
export function inputDescription(metadata: string): string | undefined {
  try {
    const value = JSON.parse(metadata).input_description;
    return typeof value === 'string' && value.trim() ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Pair regeneration is the paper's recipe for HQ-Edit `generate` items, which have a source description. */
export function canRegeneratePair(item: { family: string; task: string; metadata: string }): boolean {
  return item.family === 'hqedit' && item.task === 'generate' && inputDescription(item.metadata) !== undefined;
}
