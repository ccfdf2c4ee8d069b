/**
 * What a review page's verdict applies to. The page keeps the reviewer's picks (c cycles the
 * edited image, v the instruction) together with the item they were made on, and a verdict
 * reads them through `choiceFor` with the item it is for: a pick made on another item (the
 * previous one, in the moment before the page has reset its state) never leaks into it.
 * No database code here: the review page imports it.
 */

export interface PageChoice {
  itemId: number;
  candidateId?: number;
  instructionId?: number;
}

export interface ChoosableItem {
  id: number;
  currentCandidateId: number;
  currentInstructionId: number;
  candidates: { id: number }[];
  instructions: { id: number }[];
}

/** The edited image and instruction version a verdict on `item` applies to. */
export function choiceFor(item: ChoosableItem, choice: PageChoice | undefined): { candidateId: number; instructionVersionId: number } {
  const own = choice?.itemId === item.id ? choice : undefined;
  const candidateId =
    own?.candidateId !== undefined && item.candidates.some((c) => c.id === own.candidateId) ? own.candidateId : item.currentCandidateId;
  const instructionVersionId =
    own?.instructionId !== undefined && item.instructions.some((v) => v.id === own.instructionId)
      ? own.instructionId
      : item.currentInstructionId;
  return { candidateId, instructionVersionId };
}

/** The page's choice after picking `change` on `item` (a pick on a new item starts from nothing). */
export function pick(choice: PageChoice | undefined, item: { id: number }, change: Omit<PageChoice, 'itemId'>): PageChoice {
  return { ...(choice?.itemId === item.id ? choice : {}), ...change, itemId: item.id };
}

/** The next of `ids` after `current`, wrapping around (c and v cycle through the versions). */
export function nextOf(ids: number[], current: number): number {
  const index = ids.indexOf(current);
  return ids[(index + 1) % ids.length];
}
