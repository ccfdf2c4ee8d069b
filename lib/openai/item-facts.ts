import type { Db } from '@/db';
import { statement } from '@/db/statements';

/** What the jobs that call the API need to know about an item (one query, shared by requests and runners). */
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

/** The item, or an error for the job: it was deleted after the job was queued. */
export function itemOf(db: Db, itemId: number): ItemFacts {
  const item = itemFacts(db, itemId);
  if (!item) throw new Error(`item ${itemId} no longer exists`);
  return item;
}

/** The text of one of the item's instruction versions, or an error for the job. */
export function instructionText(db: Db, itemId: number, versionId: number): string {
  const text = statement<[number, number], string>(db, 'SELECT text FROM instruction_versions WHERE id = ? AND item_id = ?')
    .pluck()
    .get(versionId, itemId);
  if (text === undefined) throw new Error(`instruction version ${versionId} is not one of item ${itemId}'s`);
  return text;
}
