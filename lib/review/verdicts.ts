import type { Db } from '@/db';
import { statement } from '@/db/statements';
import type { ItemStatus, VerdictKind } from '@/db/schema';
import { LEASE_MS, type Claimant } from './queue';
import type { RejectReason } from './reasons';
import { LoupeError } from '@/lib/errors';

export type { RejectReason } from './reasons';

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

interface ItemState {
  status: ItemStatus;
  lease_holder: string | null;
  lease_expires_at: number | null;
  current_candidate_id: number;
  current_instruction_id: number;
  overlap: number;
  gold_expected: 'accept' | 'reject' | null;
}

const STATUS_OF = { accept: 'accepted', reject: 'rejected' } as const;

/** SQL: verdict `v` is not undone. */
const LIVE = 'NOT EXISTS (SELECT 1 FROM verdicts u WHERE u.undoes_verdict_id = v.id)';

/**
 * An item's status from its live verdicts: the latest adjudication wins; otherwise pending
 * until `overlap` review verdicts exist, then accepted/rejected when they all agree and
 * disputed (waiting for a lead) when they don't. Gold verdicts and skips never count.
 */
export function deriveStatus(db: Db, itemId: number, overlap: number): ItemStatus {
  const rows = statement<
    [number],
    { decision: 'accept' | 'reject'; kind: VerdictKind; candidateId: number | null; instructionId: number | null }
  >(
    db,
    `SELECT decision, kind, candidate_id AS candidateId, instruction_version_id AS instructionId FROM verdicts v
     WHERE item_id = ? AND decision IN ('accept', 'reject') AND kind IN ('review', 'adjudication') AND ${LIVE}
     ORDER BY id`,
  ).all(itemId);
  const adjudication = rows.filter((r) => r.kind === 'adjudication').at(-1);
  if (adjudication) return STATUS_OF[adjudication.decision];
  if (rows.length === 0 || rows.length < overlap) return 'pending';
  const first = rows[0];
  // Accepts agree only on one version (edited image and instruction): two reviewers accepting
  // different versions have approved nothing together, so a lead decides which one is exported.
  // (A verdict that named no version, from before verdicts recorded one, agrees with any.)
  const same = (a: number | null, b: number | null) => a === null || b === null || a === b;
  const agree = rows.every(
    (r) =>
      r.decision === first.decision &&
      (first.decision === 'reject' || rows.every((o) => same(r.candidateId, o.candidateId) && same(r.instructionId, o.instructionId))),
  );
  return agree ? STATUS_OF[first.decision] : 'disputed';
}

function itemState(db: Db, itemId: number): ItemState | undefined {
  return statement<[number], ItemState>(
    db,
    `SELECT i.status, i.lease_holder, i.lease_expires_at, i.current_candidate_id, i.current_instruction_id,
            d.overlap, g.expected AS gold_expected
     FROM items i JOIN datasets d ON d.id = i.dataset_id LEFT JOIN gold_items g ON g.item_id = i.id
     WHERE i.id = ?`,
  ).get(itemId);
}

function hasOwnVerdict(db: Db, itemId: number, reviewer: string): boolean {
  return !!statement<[number, string], number>(
    db,
    `SELECT 1 FROM verdicts v WHERE item_id = ? AND reviewer = ? AND decision != 'undo' AND kind != 'adjudication' AND ${LIVE}`,
  )
    .pluck()
    .get(itemId, reviewer);
}

const insertSql = `INSERT INTO verdicts (item_id, candidate_id, instruction_version_id, reviewer, decision, reasons,
  comment, ms_spent, kind, gold_expected, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * Records a verdict (or a skip) and releases the page's lease on the item, in one write
 * transaction. On a gold item it is a gold verdict, scored and never changing the item;
 * otherwise it counts toward the dataset's overlap and the item's status is re-derived.
 * Refused when another page holds a live lease on the item, the item no longer needs a
 * verdict, or this reviewer already gave one.
 */
export function recordVerdict(db: Db, who: Claimant, input: VerdictInput, now = Date.now()): { verdictId: number; status: ItemStatus } {
  const belongs = (table: 'candidates' | 'instruction_versions') =>
    statement<[number, number], number>(db, `SELECT 1 FROM ${table} WHERE id = ? AND item_id = ?`).pluck();
  const update = statement(
    db,
    'UPDATE items SET status = ?, lease_holder = NULL, lease_reviewer = NULL, lease_expires_at = NULL WHERE id = ?',
  );

  return db.$client
    .transaction(() => {
      const item = itemState(db, input.itemId);
      if (!item) throw new LoupeError('not_found', `item ${input.itemId} not found`);
      if (item.lease_holder && item.lease_holder !== who.holder && (item.lease_expires_at ?? 0) > now) {
        throw new LoupeError('conflict', 'another reviewer holds this item now');
      }
      const gold = item.gold_expected !== null && item.status !== 'pending';
      if (!gold && item.status !== 'pending') throw new LoupeError('conflict', `item ${input.itemId} is already ${item.status}`);
      if (hasOwnVerdict(db, input.itemId, who.reviewer)) {
        throw new LoupeError('conflict', `you already gave a verdict on item ${input.itemId}`);
      }
      const candidateId = input.candidateId ?? item.current_candidate_id;
      const instructionId = input.instructionVersionId ?? item.current_instruction_id;
      if (!belongs('candidates').get(candidateId, input.itemId)) {
        throw new LoupeError('invalid', `candidate ${candidateId} is not a candidate of item ${input.itemId}`);
      }
      if (!belongs('instruction_versions').get(instructionId, input.itemId)) {
        throw new LoupeError('invalid', `instruction version ${instructionId} does not belong to item ${input.itemId}`);
      }
      const reasons = input.decision === 'reject' ? (input.reasons ?? []) : [];
      const result = statement(db, insertSql).run(
        input.itemId,
        candidateId,
        instructionId,
        who.reviewer,
        input.decision,
        JSON.stringify(reasons),
        input.comment?.trim() || null,
        input.msSpent ?? null,
        gold ? 'gold' : 'review',
        gold ? item.gold_expected : null,
        now,
      );
      const status = gold || input.decision === 'skip' ? item.status : deriveStatus(db, input.itemId, item.overlap);
      update.run(status, input.itemId);
      return { verdictId: Number(result.lastInsertRowid), status };
    })
    .immediate();
}

/**
 * Undoes the reviewer's latest verdict or skip that is not undone yet (repeatable, walking
 * back). Appends an `undo` row, re-derives the item's status and, unless another page holds
 * it, leases the item back to the page so it is shown again. Returns the item id, or
 * undefined when there is nothing to undo.
 */
export function undoLastVerdict(db: Db, who: Claimant, now = Date.now()): { itemId: number; undoneVerdictId: number } | undefined {
  const last = statement<[string], { id: number; item_id: number; kind: VerdictKind }>(
    db,
    `SELECT id, item_id, kind FROM verdicts v
     WHERE reviewer = ? AND decision IN ('accept', 'reject', 'skip') AND kind != 'adjudication' AND ${LIVE}
     ORDER BY id DESC LIMIT 1`,
  );
  const insertUndo = statement(
    db,
    `INSERT INTO verdicts (item_id, reviewer, decision, undoes_verdict_id, kind, created_at) VALUES (?, ?, 'undo', ?, ?, ?)`,
  );
  const setStatus = statement(db, 'UPDATE items SET status = ? WHERE id = ?');
  const leaseBack = statement(
    db,
    `UPDATE items SET lease_holder = ?, lease_reviewer = ?, lease_expires_at = ?
     WHERE id = ? AND (lease_holder IS NULL OR lease_expires_at <= ? OR lease_holder = ?)`,
  );

  return db.$client
    .transaction(() => {
      const verdict = last.get(who.reviewer);
      if (!verdict) return undefined;
      insertUndo.run(verdict.item_id, who.reviewer, verdict.id, verdict.kind, now);
      const item = itemState(db, verdict.item_id)!;
      const status = verdict.kind === 'gold' ? item.status : deriveStatus(db, verdict.item_id, item.overlap);
      setStatus.run(status, verdict.item_id);
      if (status === 'pending' || verdict.kind === 'gold') {
        leaseBack.run(who.holder, who.reviewer, now + LEASE_MS, verdict.item_id, now, who.holder);
      }
      return { itemId: verdict.item_id, undoneVerdictId: verdict.id };
    })
    .immediate();
}

/**
 * A lead's decision on an item whose review verdicts disagree (or a new decision on one
 * already adjudicated). It is a verdict of its own kind and wins over the review verdicts.
 * `lead` is the lead's user id (lib/auth/actors.ts).
 */
export function adjudicate(
  db: Db,
  lead: string,
  input: {
    itemId: number;
    decision: 'accept' | 'reject';
    reasons?: RejectReason[];
    comment?: string;
    /** The version the lead's page showed; defaults to the item's current one. */
    candidateId?: number;
    instructionVersionId?: number;
  },
  now = Date.now(),
): { verdictId: number; status: ItemStatus } {
  const belongs = (table: 'candidates' | 'instruction_versions') =>
    statement<[number, number], number>(db, `SELECT 1 FROM ${table} WHERE id = ? AND item_id = ?`).pluck();
  return db.$client
    .transaction(() => {
      const item = itemState(db, input.itemId);
      if (!item) throw new LoupeError('not_found', `item ${input.itemId} not found`);
      const adjudicated = statement<[number], number>(
        db,
        `SELECT 1 FROM verdicts v WHERE item_id = ? AND kind = 'adjudication' AND decision != 'undo' AND ${LIVE}`,
      )
        .pluck()
        .get(input.itemId);
      if (item.status !== 'disputed' && !adjudicated) {
        throw new LoupeError('conflict', `item ${input.itemId} is ${item.status}: only disputed items are adjudicated`);
      }
      const candidateId = input.candidateId ?? item.current_candidate_id;
      const instructionId = input.instructionVersionId ?? item.current_instruction_id;
      if (!belongs('candidates').get(candidateId, input.itemId)) {
        throw new LoupeError('invalid', `candidate ${candidateId} is not a candidate of item ${input.itemId}`);
      }
      if (!belongs('instruction_versions').get(instructionId, input.itemId)) {
        throw new LoupeError('invalid', `instruction version ${instructionId} does not belong to item ${input.itemId}`);
      }
      const reasons = input.decision === 'reject' ? (input.reasons ?? []) : [];
      const result = statement(db, insertSql).run(
        input.itemId,
        candidateId,
        instructionId,
        lead,
        input.decision,
        JSON.stringify(reasons),
        input.comment?.trim() || null,
        null,
        'adjudication',
        null,
        now,
      );
      const status = deriveStatus(db, input.itemId, item.overlap);
      statement(db, 'UPDATE items SET status = ? WHERE id = ?').run(status, input.itemId);
      return { verdictId: Number(result.lastInsertRowid), status };
    })
    .immediate();
}
