import { z } from 'zod';
import type { ItemStatus } from '@/db/schema';
import { decimalCount, decimalId } from '@/lib/http/params';
import type { DisputedPage } from '@/lib/review/adjudication';
import type { Comment } from '@/lib/review/comments';
import type { Expected } from '@/lib/review/gold';
import type { HistoryEvent } from '@/lib/review/history';
import { DISPUTED_PAGE_MAX } from '@/lib/review/limits';
import { REJECT_REASON_TAGS } from '@/lib/review/reasons';

/**
 * The lead's item API (app/api/items/:id/..., app/api/adjudication): what the route handlers
 * parse and answer, and what the item page's calls (components/item/api.ts) are typed by.
 */

/** GET /api/adjudication?datasetId=&after=&limit= (query parameters, so strict decimal strings). */
export const adjudicationQuery = z.object({
  datasetId: decimalId().optional(),
  after: decimalCount().optional(),
  limit: decimalCount().pipe(z.number().min(1).max(DISPUTED_PAGE_MAX)).default(50),
});
export type AdjudicationPage = DisputedPage;

/** POST /api/items/:id/adjudicate */
export const adjudicationRequest = z.object({
  decision: z.enum(['accept', 'reject']),
  /** The version the item page shows (and the lead decides on); defaults to the current one. */
  candidateId: z.number().int().positive().optional(),
  instructionVersionId: z.number().int().positive().optional(),
  reasons: z.array(z.enum(REJECT_REASON_TAGS)).max(REJECT_REASON_TAGS.length).default([]),
  comment: z.string().max(2000).optional(),
});
export type AdjudicationRequest = z.input<typeof adjudicationRequest>;
export type AdjudicationAnswer = { verdictId: number; status: ItemStatus };

/** PUT /api/items/:id/gold (DELETE has no body and answers GoldRemovedAnswer). */
export const goldRequest = z.object({
  /** Defaults to the item's decided status. */
  expected: z.enum(['accept', 'reject']).optional(),
});
export type GoldRequest = z.input<typeof goldRequest>;
export type GoldAnswer = { itemId: number; expected: Expected };
export type GoldRemovedAnswer = { removed: boolean };

/** POST /api/items/:id/comments; the length is checked (after trimming) by addComment. */
export const commentRequest = z.object({ body: z.string() });
export type CommentAnswer = Comment;
/** GET /api/items/:id/comments */
export type CommentsAnswer = { comments: Comment[] };

/** GET /api/items/:id/history */
export type HistoryAnswer = { itemId: number; events: HistoryEvent[] };
