import type { Db } from '@/db';
import { statement } from '@/db/statements';
import type { ItemStatus } from '@/db/schema';
import { LEASE_MS, type Claimant } from './queue';
import type { RejectReason } from './reasons';

export { REJECT_REASONS, type RejectReason } from './reasons';

export interface VerdictInput {
  itemId: number;
  decision: 'accept' | 'reject' | 'skip';
  /** Defaults to the item's current candidate / instruction version. */
  candidateId?: number;
  instructionVersionId?: number;
  reasons?: RejectReason[];
  comment?: string;
  msSpent?: number;
}

/** A request the data does not allow; route handlers turn it into a 4xx with this message. */
export class ReviewError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409,
  ) {
    super(message);
  }
}

interface ItemState {
  status: ItemStatus;
  lease_holder: string | null;
  lease_expires_at: number | null;
  current_candidate_id: number;
  current_instruction_id: number;
}

const STATUS_OF = { accept: 'accepted', reject: 'rejected' } as const;

/**
 * Records a verdict (or a skip) and releases the page's lease on the item, in one write
 * transaction. Refused when another page holds a live lease on the item or the item was
 * decided meanwhile.
 */
export function recordVerdict(db: Db, who: Claimant, input: VerdictInput, now = Date.now()): { verdictId: number; status: ItemStatus } {
  const getItem = statement<[number], ItemState>(
    db,
    'SELECT status, lease_holder, lease_expires_at, current_candidate_id, current_instruction_id FROM items WHERE id = ?',
  );
  const belongs = (table: 'candidates' | 'instruction_versions') =>
    statement<[number, number], number>(db, `SELECT 1 FROM ${table} WHERE id = ? AND item_id = ?`).pluck();
  const insert = statement(
    db,
    `INSERT INTO verdicts (item_id, candidate_id, instruction_version_id, reviewer, decision, reasons, comment, ms_spent, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const update = statement(db, 'UPDATE items SET status = ?, lease_holder = NULL, lease_expires_at = NULL WHERE id = ?');

  return db.$client
    .transaction(() => {
      const item = getItem.get(input.itemId);
      if (!item) throw new ReviewError(`item ${input.itemId} not found`, 404);
      if (item.lease_holder && item.lease_holder !== who.holder && (item.lease_expires_at ?? 0) > now) {
        throw new ReviewError('another reviewer holds this item now', 409);
      }
      if (item.status !== 'pending') throw new ReviewError(`item ${input.itemId} is already ${item.status}`, 409);
      const candidateId = input.candidateId ?? item.current_candidate_id;
      const instructionId = input.instructionVersionId ?? item.current_instruction_id;
      if (!belongs('candidates').get(candidateId, input.itemId)) {
        throw new ReviewError(`candidate ${candidateId} is not a candidate of item ${input.itemId}`, 400);
      }
      if (!belongs('instruction_versions').get(instructionId, input.itemId)) {
        throw new ReviewError(`instruction version ${instructionId} does not belong to item ${input.itemId}`, 400);
      }
      const reasons = input.decision === 'reject' ? (input.reasons ?? []) : [];
      const result = insert.run(
        input.itemId, candidateId, instructionId, who.reviewer, input.decision, JSON.stringify(reasons),
        input.comment?.trim() || null, input.msSpent ?? null, now,
      );
      const status = input.decision === 'skip' ? item.status : STATUS_OF[input.decision];
      update.run(status, input.itemId);
      return { verdictId: Number(result.lastInsertRowid), status };
    })
    .immediate();
}

/**
 * Undoes the reviewer's latest verdict or skip that is not undone yet (repeatable, walking
 * back). Appends an `undo` row, re-derives the item's status from its remaining verdicts
 * and leases the item back to the page so it is shown again. Returns the item id, or
 * undefined when there is nothing to undo.
 */
export function undoLastVerdict(db: Db, who: Claimant, now = Date.now()): { itemId: number; undoneVerdictId: number } | undefined {
  const last = statement<[string], { id: number; item_id: number }>(
    db,
    `SELECT id, item_id FROM verdicts v
     WHERE reviewer = ? AND decision IN ('accept', 'reject', 'skip')
       AND NOT EXISTS (SELECT 1 FROM verdicts u WHERE u.undoes_verdict_id = v.id)
     ORDER BY id DESC LIMIT 1`,
  );
  const insertUndo = statement(
    db,
    `INSERT INTO verdicts (item_id, reviewer, decision, undoes_verdict_id, created_at) VALUES (?, ?, 'undo', ?, ?)`,
  );
  const remaining = statement<[number], string>(
    db,
    `SELECT decision FROM verdicts v
     WHERE item_id = ? AND decision IN ('accept', 'reject')
       AND NOT EXISTS (SELECT 1 FROM verdicts u WHERE u.undoes_verdict_id = v.id)
     ORDER BY id DESC LIMIT 1`,
  ).pluck();
  const update = statement(db, 'UPDATE items SET status = ?, lease_holder = ?, lease_expires_at = ? WHERE id = ?');

  return db.$client
    .transaction(() => {
      const verdict = last.get(who.reviewer);
      if (!verdict) return undefined;
      insertUndo.run(verdict.item_id, who.reviewer, verdict.id, now);
      const decision = remaining.get(verdict.item_id) as 'accept' | 'reject' | undefined;
      const status: ItemStatus = decision ? STATUS_OF[decision] : 'pending';
      update.run(status, status === 'pending' ? who.holder : null, status === 'pending' ? now + LEASE_MS : null, verdict.item_id);
      return { itemId: verdict.item_id, undoneVerdictId: verdict.id };
    })
    .immediate();
}
