import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { actorName, actorNameSql } from '@/lib/auth/actors';
import type { CandidateOrigin, InstructionKind, ItemStatus } from '@/db/schema';
import { decidedVersion, madeAfter } from './decided';
import { filterSql, scoreSql, signalRankRangeSql, signalSql, type ListFilter } from '../filter/filter';
import { jobsOfItem } from '../jobs/jobs';
import { LoupeError } from '@/lib/errors';
import { searchPageIds } from '@/lib/search/page';

export interface ReviewItem {
  id: number;
  datasetId: number;
  externalId: string;
  family: string;
  task: string;
  instructionType: string;
  status: ItemStatus;
  source: { width: number; height: number };
  inputDescription: string | null;
  /** The item's mask (UltraEdit), served at /api/images/mask/:itemId; null when it has none. */
  mask: { width: number; height: number } | null;
  candidates: ReviewCandidate[];
  currentCandidateId: number;
  instructions: { id: number; kind: InstructionKind; text: string; createdBy: string | null; createdAt: number }[];
  currentInstructionId: number;
  leaseExpiresAt: number | null;
  jobs: { id: number; kind: string; status: string; error: string | null; costUsd: number; createdAt: number }[];
}

export interface ReviewCandidate {
  id: number;
  origin: CandidateOrigin;
  width: number;
  height: number;
  /** Set when the candidate comes with its own source image (pair regeneration). */
  source: { width: number; height: number } | null;
  simulated: boolean;
  paddingOk: boolean | null;
  createdAt: number;
  /** What the UI shows on hover: how and by whom it was made (no file paths). */
  provenance: Record<string, unknown>;
  /** Computed quality signals (lib/signals) by name: value and what explains it. */
  signals: Record<string, CandidateSignal>;
}

export interface CandidateSignal {
  value: number | null;
  detail: Record<string, unknown>;
}

interface CandidateRow {
  id: number;
  origin: CandidateOrigin;
  width: number;
  height: number;
  source_width: number | null;
  source_height: number | null;
  simulated: number;
  padding_ok: number | null;
  provenance: string;
  created_at: number;
  /** The current username of who asked for the job that made it (provenance records the user id). */
  asked_by?: string | null;
}

function toCandidate(row: CandidateRow): ReviewCandidate {
  let provenance: Record<string, unknown> = {};
  try {
    provenance = JSON.parse(row.provenance);
  } catch {
    // kept as stored; shown as empty
  }
  if (row.asked_by) provenance = { ...provenance, requestedBy: row.asked_by };
  return {
    id: row.id,
    origin: row.origin,
    width: row.width,
    height: row.height,
    source: row.source_width && row.source_height ? { width: row.source_width, height: row.source_height } : null,
    simulated: row.simulated === 1,
    paddingOk: row.padding_ok === null ? null : row.padding_ok === 1,
    createdAt: row.created_at,
    provenance,
    signals: {},
  };
}

/** The signals of an item's candidates, attached to each (signals_item index). */
function attachSignals(db: Db, itemId: number, candidates: ReviewCandidate[]) {
  const rows = statement<[number], { candidate_id: number; name: string; value: number | null; detail: string }>(
    db,
    'SELECT candidate_id, name, value, detail FROM signals WHERE item_id = ?',
  ).all(itemId);
  const byId = new Map(candidates.map((c) => [c.id, c]));
  for (const row of rows) {
    const candidate = byId.get(row.candidate_id);
    if (!candidate) continue;
    let detail: Record<string, unknown> = {};
    try {
      detail = JSON.parse(row.detail);
    } catch {
      // shown without its explanation
    }
    candidate.signals[row.name] = { value: row.value, detail };
  }
  return candidates;
}

interface ItemRow {
  id: number;
  dataset_id: number;
  external_id: string;
  family: string;
  task: string;
  instruction_type: string;
  status: ItemStatus;
  source_width: number;
  source_height: number;
  metadata: string;
  current_candidate_id: number;
  current_instruction_id: number;
  lease_expires_at: number | null;
}

/** Everything the review page shows for one item (never a file path). */
export function getReviewItem(db: Db, itemId: number): ReviewItem | undefined {
  const row = statement<[number], ItemRow>(
    db,
    `SELECT id, dataset_id, external_id, family, task, instruction_type, status, source_width, source_height,
            metadata, current_candidate_id, current_instruction_id, lease_expires_at
     FROM items WHERE id = ?`,
  ).get(itemId);
  if (!row) return undefined;
  const candidates = statement<[number], CandidateRow>(
    db,
    `SELECT id, origin, width, height, source_width, source_height, simulated, padding_ok, provenance, created_at,
            (SELECT ${actorNameSql('j.requested_by')} FROM jobs j WHERE j.id = candidates.job_id) AS asked_by
     FROM candidates WHERE item_id = ? ORDER BY id`,
  )
    .all(itemId)
    .map(toCandidate);
  attachSignals(db, itemId, candidates);
  const jobs = jobsOfItem(db, itemId).map(({ id, kind, status, error, costUsd, createdAt }) => ({
    id,
    kind,
    status,
    error,
    costUsd,
    createdAt,
  }));
  const instructions = statement<[number], ReviewItem['instructions'][number]>(
    db,
    // Who wrote it, by current username; a model's rewrite also names who asked for it (its job).
    `SELECT iv.id, iv.kind, iv.text, iv.created_at AS createdAt,
            CASE WHEN j.requested_by IS NULL THEN ${actorNameSql('iv.created_by')}
                 ELSE iv.created_by || ' (asked by ' || ${actorNameSql('j.requested_by')} || ')' END AS createdBy
     FROM instruction_versions iv LEFT JOIN jobs j ON j.item_id = iv.item_id AND j.result_instruction_id = iv.id
     WHERE iv.item_id = ? ORDER BY iv.id`,
  ).all(itemId);
  let inputDescription: string | null = null;
  let mask: ReviewItem['mask'] = null;
  try {
    const record = JSON.parse(row.metadata);
    const description = record.input_description;
    if (typeof description === 'string') inputDescription = description;
    const { width, height } = record.mask ?? {};
    if (Number.isFinite(width) && Number.isFinite(height) && width > 0 && height > 0) mask = { width, height };
  } catch {
    // metadata is stored as imported; a record without a description shows none
  }
  return {
    id: row.id,
    datasetId: row.dataset_id,
    externalId: row.external_id,
    family: row.family,
    task: row.task,
    instructionType: row.instruction_type,
    status: row.status,
    source: { width: row.source_width, height: row.source_height },
    inputDescription,
    mask,
    candidates,
    currentCandidateId: row.current_candidate_id,
    instructions,
    currentInstructionId: row.current_instruction_id,
    leaseExpiresAt: row.lease_expires_at,
    jobs,
  };
}

/** Saves a reviewer's edit of the instruction as a new `human` version and makes it current; `reviewer` is a user id. */
export function addHumanInstruction(db: Db, itemId: number, text: string, reviewer: string) {
  const trimmed = text.trim();
  if (!trimmed) throw new LoupeError('invalid', 'the instruction cannot be empty');
  return db.$client
    .transaction(() => {
      const exists = statement<[number], number>(db, 'SELECT 1 FROM items WHERE id = ?').pluck().get(itemId);
      if (!exists) throw new LoupeError('not_found', `item ${itemId} not found`);
      const createdAt = Date.now();
      const id = Number(
        statement(db, `INSERT INTO instruction_versions (item_id, kind, text, created_by, created_at) VALUES (?, 'human', ?, ?, ?)`).run(
          itemId,
          trimmed,
          reviewer,
          createdAt,
        ).lastInsertRowid,
      );
      statement(db, 'UPDATE items SET current_instruction_id = ? WHERE id = ?').run(id, itemId);
      return { id, kind: 'human' as const, text: trimmed, createdBy: actorName(db, reviewer), createdAt };
    })
    .immediate();
}

export interface ItemListRow {
  id: number;
  externalId: string;
  family: string;
  task: string;
  instructionType: string;
  status: ItemStatus;
  instruction: string;
}

/** Position in the page's order: (family, task, id), or (value, id) when sorted by a score or signal. */
export type ItemCursor = { family: string; task: string; id: number } | { score: number; id: number };

/** The SQL of one listItems page (exported for EXPLAIN QUERY PLAN checks). */
export function listItemsQuery(
  filter: ListFilter,
  cursor: ItemCursor | undefined,
  limit: number,
  /** The page's items, already found by the search index in this order (lib/search/page.ts). */
  searched?: number[],
): { sql: string; params: unknown[] } {
  const { where, params } = filterSql(filter, undefined, true);
  // With a score or signal chosen, each row carries its value (null: the item has none).
  const columns = `items.id, external_id AS externalId, family, task, instruction_type AS instructionType, status,
            (SELECT text FROM instruction_versions WHERE id = items.current_instruction_id) AS instruction${
              filter.score ? `, ${scoreSql(filter.score)} AS score` : ''
            }${filter.signal ? `, ${signalSql(filter.signal)} AS signal` : ''}`;
  const [cmp, cmpEq, dir] = filter.sort === 'desc' ? ['<', '<=', 'DESC'] : ['>', '>=', 'ASC'];
  if (filter.signal && filter.sort) {
    // Walks signals_rank (dataset, name, value, item) in order; the join keeps the current candidate's.
    const keyset = cursor && 'score' in cursor;
    const rankRange = signalRankRangeSql(filter);
    return {
      sql: `SELECT ${columns}
       FROM signals s JOIN items ON items.id = s.item_id AND items.current_candidate_id = s.candidate_id
       WHERE s.dataset_id = ? AND s.name = ? AND s.value IS NOT NULL ${rankRange.sql}
         ${keyset ? `AND (s.value, s.item_id) ${cmp} (?, ?)` : ''} AND ${where}
       ORDER BY s.value ${dir}, s.item_id ${dir} LIMIT ?`,
      params: [filter.datasetId, filter.signal, ...rankRange.params, ...(keyset ? [cursor.score, cursor.id] : []), ...params, limit + 1],
    };
  }
  if (filter.score && filter.sort) {
    const score = scoreSql(filter.score);
    const keyset = cursor && 'score' in cursor;
    // Not a row value: SQLite seeks the expression index only on a plain bound of the expression;
    // the OR term then skips the ties already shown.
    const after = keyset ? `AND ${score} ${cmpEq} ? AND (${score} ${cmp} ? OR items.id ${cmp} ?)` : '';
    return {
      sql: `SELECT ${columns}
       FROM items WHERE ${where} AND ${score} IS NOT NULL ${after}
       ORDER BY ${score} ${dir}, items.id ${dir} LIMIT ?`,
      params: [...params, ...(keyset ? [cursor.score, cursor.score, cursor.id] : []), limit + 1],
    };
  }
  if (searched) {
    // A search's page, in id order: the index's own order, then the scan of what it does not hold yet (lib/search/page.ts).
    return {
      sql: `SELECT ${columns} FROM items WHERE items.id IN (SELECT value FROM json_each(?)) ORDER BY items.id`,
      params: [JSON.stringify(searched)],
    };
  }
  const keyset = cursor && 'family' in cursor;
  return {
    sql: `SELECT ${columns}
     FROM items WHERE ${where} ${keyset ? 'AND (family, task, items.id) > (?, ?, ?)' : ''}
     ORDER BY family, task, items.id LIMIT ?`,
    params: [...params, ...(keyset ? [cursor.family, cursor.task, cursor.id] : []), limit + 1],
  };
}

/**
 * One page of a dataset's items after `cursor`: in (family, task, id) order, or in (score, id)
 * order (ascending or descending) when the filter sorts by a score, leaving out items without
 * it. Keyset paging on the same order as the indexes (items_dataset_order and the like, or
 * items_score_<name>), so page 10,000 costs what page 1 costs.
 */
export function listItems(
  db: Db,
  filter: ListFilter,
  cursor: ItemCursor | undefined,
  limit: number,
): { rows: (ItemListRow & { score?: number | null; signal?: number | null })[]; next?: ItemCursor } {
  // A search (not sorted by a score or signal) pages in id order from the index (a common word stops at the page).
  const searched =
    filter.search !== undefined && !filter.sort
      ? searchPageIds(
          db,
          { ...filter, search: filter.search },
          filterSql({ ...filter, search: undefined }, undefined, true),
          cursor?.id,
          limit + 1,
        )
      : undefined;
  const { sql, params } = listItemsQuery(filter, cursor, limit, searched);
  const rows = statement<unknown[], ItemListRow & { score?: number | null; signal?: number | null }>(db, sql).all(...params);
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const last = page.at(-1);
  if (!hasMore || !last) return { rows: page };
  if (filter.signal && filter.sort) return { rows: page, next: { score: last.signal!, id: last.id } };
  if (filter.score && filter.sort) return { rows: page, next: { score: last.score!, id: last.id } };
  return { rows: page, next: { family: last.family, task: last.task, id: last.id } };
}

/** A dataset page row of a decided item: the instruction its deciding verdict chose, and what was made since. */
export type DecidedListRow<T extends ItemListRow> = T & {
  /** Set on accepted and rejected items: the instruction shown is the decided one. */
  decided?: { newerCandidate: boolean; newerInstruction: boolean };
  /** Set with `decided`: the edited image the deciding verdict chose (show it, not the current one, beside the decided instruction). */
  decidedCandidateId?: number;
};

/**
 * Shows each decided item of a page as it was decided (lib/review/decided.ts): the row's
 * instruction becomes the deciding verdict's (and decidedCandidateId names its edited image), flagged when an edit or instruction was made
 * after the decision (nobody decided on it; one that existed and was passed over is not
 * flagged). A page is 50 rows: a few indexed lookups each.
 */
export function showDecided<T extends ItemListRow>(db: Db, rows: T[]): DecidedListRow<T>[] {
  const text = statement<[number], string>(db, 'SELECT text FROM instruction_versions WHERE id = ?').pluck();
  return rows.map((row) => {
    if (row.status !== 'accepted' && row.status !== 'rejected') return row;
    const version = decidedVersion(db, row.id);
    if (!version) return row;
    return {
      ...row,
      instruction: text.get(version.instructionId) ?? row.instruction,
      decided: madeAfter(db, row.id, version),
      decidedCandidateId: version.candidateId,
    };
  });
}
