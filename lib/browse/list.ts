import { z } from 'zod';
import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { filterSql, hasExtraTerms, listFilterSchema, type ListFilter } from '@/lib/filter/filter';
import { listItems, showDecided, type ItemCursor } from '@/lib/review/items';
import type { ItemStatus } from '@/db/schema';
import { highlightRows, type RowHighlight } from '@/lib/search/highlight';

/**
 * The dataset browser's reads: pages of items in keyset order (lib/review/items.ts listItems, the
 * same order its indexes keep, so page 10,000 costs what page 1 costs) with what a grid cell
 * shows, and the number of items a filter matches.
 */

/** Terms only leads may filter by: an annotator must not learn others' verdicts. */
const LEAD_TERMS = ['status', 'reviewer', 'from', 'to'] as const;

/** One item of the browser: a grid cell or a table row. */
export interface BrowseRow {
  id: number;
  externalId: string;
  family: string;
  task: string;
  instructionType: string;
  /** The current instruction (for leads on a decided item: the one its deciding verdict chose). */
  instruction: string;
  /**
   * The edited image shown: /api/images/candidate/:candidateId (the source is /api/images/source/:id). The
   * current one, or for leads on a decided item the one its deciding verdict chose (beside its instruction).
   */
  candidateId: number;
  /** Leads only. */
  status?: ItemStatus;
  score?: number | null;
  signal?: number | null;
  decided?: { newerCandidate: boolean; newerInstruction: boolean };
  /** With a search: `instruction` cut at its matches, and the other texts that match when it lacks a word (lib/search/highlight.ts). */
  highlight?: RowHighlight;
}
/**
 * The viewer's filter for a dataset from the schema's input (URL strings or JSON values): lead-only
 * terms dropped for others. Either the filter or the schema's issues, each naming its term.
 */
export function browseFilter(
  input: Record<string, unknown>,
  datasetId: number,
  seesVerdicts: boolean,
): { filter: ListFilter; issues?: undefined } | { filter?: undefined; issues: { term: string; message: string }[] } {
  const terms: Record<string, unknown> = { ...input, datasetId };
  if (!seesVerdicts) for (const term of LEAD_TERMS) delete terms[term];
  const parsed = listFilterSchema.safeParse(terms);
  if (parsed.success) return { filter: parsed.data };
  return { issues: parsed.error.issues.map((issue) => ({ term: String(issue.path[0] ?? 'filter'), message: issue.message })) };
}

const cursorSchema = z.union([
  z.object({ family: z.string(), task: z.string(), id: z.number().int() }),
  z.object({ score: z.number(), id: z.number().int() }),
]);

/** A page position as an opaque URL-safe string (what `after` carries). */
export const encodeCursor = (cursor: ItemCursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

/** The position `after` names, or undefined for a missing or unreadable one (the first page). */
export function decodeCursor(value: string | undefined): ItemCursor | undefined {
  if (!value) return undefined;
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(value, 'base64url').toString()));
  } catch {
    return undefined;
  }
}

/**
 * One page of the browser after `after`: each row with its edited image's id (for the thumbnail)
 * and, for leads, its status; a decided item shows the edited image and instruction its deciding
 * verdict chose, never a newer, undecided edit beside the decided instruction.
 */
export function browseItems(
  db: Db,
  filter: ListFilter,
  after: string | undefined,
  limit: number,
  seesVerdicts: boolean,
): { rows: BrowseRow[]; next?: string } {
  const page = listItems(db, filter, decodeCursor(after), limit);
  const rows = seesVerdicts ? showDecided(db, page.rows) : page.rows;
  // Primary-key lookups for the page's few rows (listItems is shared with other readers).
  const candidates = new Map(
    statement<[string], { id: number; candidateId: number }>(
      db,
      'SELECT id, current_candidate_id AS candidateId FROM items WHERE id IN (SELECT value FROM json_each(?))',
    )
      .all(JSON.stringify(rows.map((row) => row.id)))
      .map((row) => [row.id, row.candidateId]),
  );
  const highlights = filter.search ? highlightRows(db, rows, filter.search) : undefined;
  return {
    rows: rows.map(({ status, decidedCandidateId, ...row }: (typeof rows)[number] & { decidedCandidateId?: number }) => ({
      ...row,
      candidateId: decidedCandidateId ?? candidates.get(row.id)!,
      ...(seesVerdicts ? { status } : {}),
      ...(highlights?.has(row.id) ? { highlight: highlights.get(row.id) } : {}),
    })),
    ...(page.next ? { next: encodeCursor(page.next) } : {}),
  };
}

/**
 * How many items the filter matches: from item_counts (kept exact by triggers) when it has
 * only indexed terms, else one count over the matching items (a text or signal term: about
 * as long as that term's scan).
 */
export function countMatching(db: Db, filter: ListFilter): number {
  const { sort: _sort, ...terms } = filter;
  if (!hasExtraTerms(terms)) {
    const { where, params } = filterSql(terms);
    return (
      statement<unknown[], number>(db, `SELECT coalesce(sum(n), 0) FROM item_counts WHERE ${where}`)
        .pluck()
        .get(...params) ?? 0
    );
  }
  const { where, params } = filterSql(terms, undefined, true);
  return (
    statement<unknown[], number>(db, `SELECT count(*) FROM items WHERE ${where}`)
      .pluck()
      .get(...params) ?? 0
  );
}
