import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { actorNameSql } from '@/lib/auth/actors';
import type { ItemStatus, VerdictKind } from '@/db/schema';
import type { VersionChoice } from './version-label';

/**
 * The decided version of an item: the candidate and instruction version that the verdict
 * giving the item its status chose. The export, the item and dataset pages and audit
 * samples all read it from here, so what is shown, audited and exported is the same.
 */

/** The verdict that gives an accepted or rejected item its status (not undone). */
export interface DecidingVerdict {
  id: number;
  decision: 'accept' | 'reject';
  kind: Extract<VerdictKind, 'review' | 'adjudication'>;
  reviewer: string;
  reasons: string;
  comment: string | null;
  created_at: number;
  candidate_id: number | null;
  instruction_version_id: number | null;
}

/**
 * The deciding verdict of an item with this status; null unless accepted or rejected. As in
 * deriveStatus: the latest live adjudication wins; otherwise the review verdicts agree and
 * the latest of them (the one that completed the overlap) decides. Gold verdicts and skips
 * never decide.
 */
export function decidingVerdict(db: Db, itemId: number, status: ItemStatus): DecidingVerdict | null {
  if (status !== 'accepted' && status !== 'rejected') return null;
  return (
    statement<[number, string], DecidingVerdict>(
      db,
      `SELECT id, decision, kind, ${actorNameSql('v.reviewer')} AS reviewer, reasons, comment, created_at, candidate_id, instruction_version_id FROM verdicts v
       WHERE item_id = ? AND decision = ? AND kind IN ('review', 'adjudication')
         AND NOT EXISTS (SELECT 1 FROM verdicts u WHERE u.undoes_verdict_id = v.id)
       ORDER BY kind = 'adjudication' DESC, id DESC LIMIT 1`,
    ).get(itemId, status === 'accepted' ? 'accept' : 'reject') ?? null
  );
}

/**
 * decidingVerdict as SQL, for reads of many items at once (the export reads a page of items with
 * their deciding verdicts in one query): the id of the deciding verdict of the items row aliased
 * `item` (it needs `id` and `status`), NULL while the item is pending or disputed. The same rule
 * as decidingVerdict, row by row; decided.test.ts checks that they agree.
 */
export function decidingVerdictIdSql(item: string): string {
  return `(SELECT dv.id FROM verdicts dv
     WHERE dv.item_id = ${item}.id AND ${item}.status IN ('accepted', 'rejected')
       AND dv.decision = CASE ${item}.status WHEN 'accepted' THEN 'accept' ELSE 'reject' END
       AND dv.kind IN ('review', 'adjudication')
       AND NOT EXISTS (SELECT 1 FROM verdicts du WHERE du.undoes_verdict_id = dv.id)
     ORDER BY dv.kind = 'adjudication' DESC, dv.id DESC LIMIT 1)`;
}

/** The verdict's choice; the item's current one where the verdict names none (verdicts from before choices were recorded). */
export function decidedChoice(current: VersionChoice, verdict: DecidingVerdict | null): VersionChoice {
  if (!verdict) return current;
  return {
    candidateId: verdict.candidate_id ?? current.candidateId,
    instructionId: verdict.instruction_version_id ?? current.instructionId,
  };
}

export interface DecidedVersion extends VersionChoice {
  verdict: DecidingVerdict;
}

/** The decided version of an item; undefined while it is pending or disputed (or not found). */
export function decidedVersion(db: Db, itemId: number): DecidedVersion | undefined {
  const item = statement<[number], { status: ItemStatus; current_candidate_id: number; current_instruction_id: number }>(
    db,
    'SELECT status, current_candidate_id, current_instruction_id FROM items WHERE id = ?',
  ).get(itemId);
  if (!item) return undefined;
  const verdict = decidingVerdict(db, itemId, item.status);
  if (!verdict) return undefined;
  const current = { candidateId: item.current_candidate_id, instructionId: item.current_instruction_id };
  return { ...decidedChoice(current, verdict), verdict };
}

/**
 * Whether an edited image or instruction version other than the chosen one was made at or
 * after the deciding verdict (so the decision never saw it). One that existed and was passed
 * over is not "newer". Same-millisecond ties count as after: flag what may be unseen.
 */
export function madeAfter(db: Db, itemId: number, decided: DecidedVersion): { newerCandidate: boolean; newerInstruction: boolean } {
  const at = decided.verdict.created_at;
  const later = (table: 'candidates' | 'instruction_versions', chosen: number) =>
    statement<[number, number, number], number>(
      db,
      `SELECT EXISTS (SELECT 1 FROM ${table} WHERE item_id = ? AND id != ? AND created_at >= ?)`,
    )
      .pluck()
      .get(itemId, chosen, at) === 1;
  return {
    newerCandidate: later('candidates', decided.candidateId),
    newerInstruction: later('instruction_versions', decided.instructionId),
  };
}

/**
 * The version the item page shows and adjudicates: the decided one when the item is decided,
 * else its current one (a pending or disputed item).
 */
export function shownVersion(
  db: Db,
  item: { id: number; currentCandidateId: number; currentInstructionId: number },
): VersionChoice & { decided?: DecidedVersion } {
  const decided = decidedVersion(db, item.id);
  return decided
    ? { candidateId: decided.candidateId, instructionId: decided.instructionId, decided }
    : { candidateId: item.currentCandidateId, instructionId: item.currentInstructionId };
}
