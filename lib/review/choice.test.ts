import { describe, expect, it } from 'vitest';
import { choiceFor, nextOf, pick, type ChoosableItem } from './choice';

const item = (id: number, candidates: number[], instructions: number[]): ChoosableItem => ({
  id,
  currentCandidateId: candidates.at(-1)!,
  currentInstructionId: instructions.at(-1)!,
  candidates: candidates.map((c) => ({ id: c })),
  instructions: instructions.map((v) => ({ id: v })),
});

describe('choiceFor: a verdict applies to versions of the item it is made on', () => {
  const three = item(3, [3, 13], [30, 31]);
  const four = item(4, [4], [40]);

  it('takes the current versions when nothing was picked', () => {
    expect(choiceFor(four, undefined)).toEqual({ candidateId: 4, instructionVersionId: 40 });
  });

  it('takes what was picked on this item', () => {
    const choice = pick(pick(undefined, three, { candidateId: 3 }), three, { instructionId: 30 });
    expect(choiceFor(three, choice)).toEqual({ candidateId: 3, instructionVersionId: 30 });
  });

  it('never carries a pick on the previous item over to the next one (the fast `a` race)', () => {
    const onThree = pick(undefined, three, { candidateId: 3, instructionId: 30 });
    // The next item is on screen but the page has not reset its pick yet: the verdict still names item 4's own versions.
    expect(choiceFor(four, onThree)).toEqual({ candidateId: 4, instructionVersionId: 40 });
  });

  it('ignores a pick naming a version the item does not have', () => {
    expect(choiceFor(four, { itemId: 4, candidateId: 3, instructionId: 30 })).toEqual({ candidateId: 4, instructionVersionId: 40 });
  });

  it('starts a pick on a new item from nothing', () => {
    expect(pick({ itemId: 3, candidateId: 3, instructionId: 30 }, four, { candidateId: 4 })).toEqual({ itemId: 4, candidateId: 4 });
  });

  it('cycles through versions, wrapping around', () => {
    expect(nextOf([3, 13, 23], 13)).toBe(23);
    expect(nextOf([3, 13, 23], 23)).toBe(3);
    expect(nextOf([3, 13], 99)).toBe(3);
  });
});
