import type { Db } from '@/db';
import { statement } from '@/db/statements';
import type { Decision, VerdictKind } from '@/db/schema';
import { actorNameSql } from '@/lib/auth/actors';
import { DISPUTED_PAGE_MAX } from './limits';

/** One row of the adjudication queue. */
export interface DisputedItem {
  id: number;
  datasetId: number;
  datasetName: string;
  externalId: string;
  family: string;
  task: string;
  /** The current instruction version's text. */
  instruction: string;
  /** Live (not undone) accept, reject and skip verdicts of any kind. */
  verdicts: number;
  /** Live review accepts and rejects: the disagreement. */
  accepts: number;
  rejects: number;
  /** When the latest verdict came in (roughly: since when it is disputed). */
  lastVerdictAt: number | null;
}

export interface DisputedPage {
  items: DisputedItem[];
  /** The `after` of the next page; absent on the last page. */
  next?: number;
}

const LIVE = 'NOT EXISTS (SELECT 1 FROM verdicts u WHERE u.undoes_verdict_id = v.id)';

/*
 * Disputed items are found through items_queue (dataset_id, status, ...): with a dataset as
 * one equality seek, without one as a seek per dataset (the datasets table is tiny). The
 * page is then ordered by id, which sorts the disputed set of the scope: disputed items are
 * a queue that leads keep short, never a large share of 1.5M. INDEXED BY because, without
 * statistics, the planner would otherwise walk the primary key from `after` through every
 * item that is not disputed.
 */
const scope = (byDataset: boolean) => (byDataset ? 'i.dataset_id = @dataset' : 'i.dataset_id IN (SELECT id FROM datasets)');

function disputedSql(byDataset: boolean): string {
  return `SELECT i.id, i.dataset_id AS datasetId, d.name AS datasetName, i.external_id AS externalId, i.family, i.task,
            (SELECT text FROM instruction_versions WHERE id = i.current_instruction_id) AS instruction,
            (SELECT count(*) FROM verdicts v WHERE v.item_id = i.id AND v.decision IN ('accept', 'reject', 'skip') AND ${LIVE}) AS verdicts,
            (SELECT count(*) FROM verdicts v WHERE v.item_id = i.id AND v.kind = 'review' AND v.decision = 'accept' AND ${LIVE}) AS accepts,
            (SELECT count(*) FROM verdicts v WHERE v.item_id = i.id AND v.kind = 'review' AND v.decision = 'reject' AND ${LIVE}) AS rejects,
            (SELECT max(created_at) FROM verdicts v WHERE v.item_id = i.id) AS lastVerdictAt
     FROM items i INDEXED BY items_queue JOIN datasets d ON d.id = i.dataset_id
     WHERE ${scope(byDataset)} AND i.status = 'disputed' AND i.id > @after
     ORDER BY i.id LIMIT @limit`;
}

/** The SQL of listDisputed (exported for EXPLAIN QUERY PLAN checks). */
export const listDisputedSql = disputedSql;

/**
 * One page of disputed items (optionally of one dataset), in id order after `after`
 * (keyset paging: `next` is the `after` of the following page).
 */
export function listDisputed(db: Db, options: { datasetId?: number; after?: number; limit?: number } = {}): DisputedPage {
  const limit = Math.min(Math.max(1, Math.floor(options.limit ?? 50)), DISPUTED_PAGE_MAX);
  const byDataset = options.datasetId !== undefined;
  const params: Record<string, number> = { after: options.after ?? 0, limit: limit + 1 };
  if (byDataset) params.dataset = options.datasetId!;
  const rows = statement<[Record<string, number>], DisputedItem>(db, disputedSql(byDataset)).all(params);
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  return hasMore ? { items, next: items.at(-1)!.id } : { items };
}

function firstDisputedAfter(db: Db, after: number, datasetId: number | undefined, except: number): number | undefined {
  const byDataset = datasetId !== undefined;
  const params: Record<string, number> = { after, except };
  if (byDataset) params.dataset = datasetId;
  return statement<[Record<string, number>], number>(
    db,
    `SELECT i.id FROM items i INDEXED BY items_queue
     WHERE ${scope(byDataset)} AND i.status = 'disputed' AND i.id > @after AND i.id != @except
     ORDER BY i.id LIMIT 1`,
  )
    .pluck()
    .get(params);
}

/**
 * The disputed item to open after `afterItemId`: the next one by id, wrapping around to the
 * first (never `afterItemId` itself); undefined when no other item is disputed.
 */
export function nextDisputed(db: Db, afterItemId: number, datasetId?: number): number | undefined {
  return firstDisputedAfter(db, afterItemId, datasetId, afterItemId) ?? firstDisputedAfter(db, 0, datasetId, afterItemId);
}

/** Disputed items per dataset, from item_counts (kept exact by triggers; never counts items). */
export function disputedCounts(db: Db): { datasetId: number; name: string; disputed: number }[] {
  return statement<[], { datasetId: number; name: string; disputed: number }>(
    db,
    `SELECT d.id AS datasetId, d.name,
            coalesce((SELECT sum(n) FROM item_counts c WHERE c.dataset_id = d.id AND c.status = 'disputed'), 0) AS disputed
     FROM datasets d ORDER BY d.name`,
  ).all();
}

/** One verdict as a lead sees it on the item page. */
export interface ItemVerdict {
  id: number;
  /** The reviewer's username now (reviewerId: their user id, or a label; see lib/auth/actors.ts). */
  reviewer: string;
  reviewerId: string;
  decision: Exclude<Decision, 'undo'>;
  kind: VerdictKind;
  reasons: string[];
  comment: string | null;
  createdAt: number;
  candidateId: number | null;
  instructionVersionId: number | null;
  msSpent: number | null;
  goldExpected: 'accept' | 'reject' | null;
  /** An undo row points at it; undone verdicts no longer count. */
  undone: boolean;
  undoneAt: number | null;
}

type VerdictRow = Omit<ItemVerdict, 'reasons' | 'undone'> & { reasons: string };

/** Every verdict on an item, oldest first, each with whether (and when) it was undone; undo rows themselves are folded in. */
export function itemVerdicts(db: Db, itemId: number): ItemVerdict[] {
  return statement<[number], VerdictRow>(
    db,
    `SELECT v.id, ${actorNameSql('v.reviewer')} AS reviewer, v.reviewer AS reviewerId, v.decision, v.kind, v.reasons, v.comment, v.created_at AS createdAt,
            v.candidate_id AS candidateId, v.instruction_version_id AS instructionVersionId, v.ms_spent AS msSpent,
            v.gold_expected AS goldExpected,
            (SELECT min(u.created_at) FROM verdicts u WHERE u.undoes_verdict_id = v.id) AS undoneAt
     FROM verdicts v WHERE v.item_id = ? AND v.decision != 'undo' ORDER BY v.id`,
  )
    .all(itemId)
    .map(({ reasons, ...row }) => {
      let tags: string[] = [];
      try {
        const parsed: unknown = JSON.parse(reasons);
        if (Array.isArray(parsed)) tags = parsed.map(String);
      } catch {
        // stored as written; a malformed list shows no reasons
      }
      return { ...row, reasons: tags, undone: row.undoneAt !== null };
    });
}

export function datasetName(db: Db, datasetId: number): string | undefined {
  return statement<[number], string>(db, 'SELECT name FROM datasets WHERE id = ?').pluck().get(datasetId);
}

/** A version a lead can adjudicate with: one a reviewer accepted, or the one the page shows by default. */
export interface VersionOption {
  candidateId: number;
  instructionId: number;
  /** Reviewers (usernames now) whose live accept chose it; empty for the default one. */
  acceptedBy: string[];
}

/**
 * The versions to offer a lead: the default (the decided or current version) first, then each
 * distinct version that live review accepts chose, with who chose it. Two reviewers accepting
 * different versions is a dispute; the lead picks one of them (or the default).
 */
export function versionOptions(verdicts: ItemVerdict[], byDefault: { candidateId: number; instructionId: number }): VersionOption[] {
  const options: VersionOption[] = [{ ...byDefault, acceptedBy: [] }];
  for (const v of verdicts) {
    if (v.undone || v.kind !== 'review' || v.decision !== 'accept' || v.candidateId === null || v.instructionVersionId === null) continue;
    const same = options.find((o) => o.candidateId === v.candidateId && o.instructionId === v.instructionVersionId);
    if (same) {
      if (!same.acceptedBy.includes(v.reviewer)) same.acceptedBy.push(v.reviewer);
    } else options.push({ candidateId: v.candidateId, instructionId: v.instructionVersionId, acceptedBy: [v.reviewer] });
  }
  return options;
}
