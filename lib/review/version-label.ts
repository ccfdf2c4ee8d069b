import type { CandidateOrigin, InstructionKind } from '@/db/schema';

/**
 * Names for an item's versions as people say them ("dataset edit", "regeneration 2",
 * "original instruction"), shared by the item page, the verdict table and the audit page.
 * No database code here, so client components can use it too.
 */

export interface VersionChoice {
  candidateId: number;
  instructionId: number;
}

const KIND_NAME: Record<InstructionKind, string> = {
  original: 'original instruction',
  rewrite: 'rewrite',
  complex: 'complex instruction',
  human: 'human edit',
};

/**
 * "dataset edit" for the imported image, else "regeneration N" in the order they were made (as
 * the candidate strip counts). Null is a verdict from before verdicts recorded their version:
 * which edit it saw is not known.
 */
export function candidateName(candidates: { id: number; origin: CandidateOrigin }[], id: number | null): string {
  const index = candidates.findIndex((c) => c.id === id);
  if (index < 0) return id === null ? 'edit not recorded' : `edit ${id} (not found)`;
  return index === 0 && candidates[0].origin === 'dataset' ? 'dataset edit' : `regeneration ${index}`;
}

/** "original instruction", "rewrite", "human edit", numbered when the item has several of that kind. */
export function instructionName(instructions: { id: number; kind: InstructionKind }[], id: number | null): string {
  const version = instructions.find((v) => v.id === id);
  if (!version) return id === null ? 'instruction not recorded' : `instruction ${id} (not found)`;
  const sameKind = instructions.filter((v) => v.kind === version.kind);
  const name = KIND_NAME[version.kind] ?? version.kind;
  return sameKind.length > 1 ? `${name} ${sameKind.indexOf(version) + 1}` : name;
}

export interface VersionLabel {
  /** e.g. "dataset edit · original instruction" */
  text: string;
  /** A candidate made after the decision exists (nobody decided on it). */
  newerCandidate: string | null;
  /** An instruction version made after the decision exists. */
  newerInstruction: string | null;
}

type Made = { id: number; createdAt: number };

/**
 * What a decision chose, named, and what was made after it that the decision did not see:
 * made at or after `decidedAt` (the deciding verdict's time), so a version that existed and
 * was passed over is not "newer". Without a decision, the ones made after the chosen one.
 */
export function labelVersion(
  item: { candidates: (Made & { origin: CandidateOrigin })[]; instructions: (Made & { kind: InstructionKind })[] },
  choice: VersionChoice,
  decidedAt?: number,
): VersionLabel {
  const after = (v: Made, chosen: number) => v.id !== chosen && (decidedAt === undefined ? v.id > chosen : v.createdAt >= decidedAt);
  const laterCandidate = item.candidates.filter((c) => after(c, choice.candidateId)).at(-1);
  const laterInstruction = item.instructions.filter((v) => after(v, choice.instructionId)).at(-1);
  return {
    text: `${candidateName(item.candidates, choice.candidateId)} · ${instructionName(item.instructions, choice.instructionId)}`,
    newerCandidate: laterCandidate
      ? `a newer ${candidateName(item.candidates, laterCandidate.id).replace(/ \d+$/, '')} exists (not reviewed)`
      : null,
    newerInstruction: laterInstruction
      ? `a newer instruction (${instructionName(item.instructions, laterInstruction.id)}) exists (not reviewed)`
      : null,
  };
}
