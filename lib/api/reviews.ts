import { z } from 'zod';
import type { ReviewItem } from '@/lib/review/items';
import type { QueueProgress } from '@/lib/review/queue';
import type { QueueState } from '@/lib/review/queue-view';
import { queueFilterSchema } from '@/lib/filter/filter';
import { REJECT_REASON_TAGS } from '@/lib/review/reasons';

/**
 * The review page's API (app/api/queue, app/api/verdicts, app/api/items/:id/instructions): the
 * request bodies the route handlers parse, and what they answer. Client-safe (types only from
 * server modules), so the browser's calls (components/review/api.ts) are typed by the same.
 */

/** The page's own id (per browser tab); the server scopes it to the signed-in user. */
const claimant = {
  holder: z.string().min(8).max(100),
};

/** POST /api/queue/claim */
export const claimRequest = z.object({
  ...claimant,
  filter: queueFilterSchema,
  count: z.number().int().min(1).max(10).default(4),
  /** Items to have back first (the page's regeneration or rewrite of them ended). */
  prefer: z.array(z.number().int().positive()).max(10).optional(),
});
export type ClaimRequest = z.input<typeof claimRequest>;
export type ClaimAnswer = QueueState;

/** POST /api/queue/renew and /api/queue/release */
export const holderRequest = z.object({ holder: claimant.holder });
/** The new lease expiry (ms epoch, server clock), and how many leases it extended (0: the page holds nothing now). */
export type RenewAnswer = { expiresAt: number; renewed: number };
export type ReleaseAnswer = { released: number };

/** POST /api/verdicts */
export const verdictRequest = z.object({
  ...claimant,
  filter: queueFilterSchema,
  itemId: z.number().int().positive(),
  decision: z.enum(['accept', 'reject', 'skip']),
  candidateId: z.number().int().positive().optional(),
  instructionVersionId: z.number().int().positive().optional(),
  reasons: z.array(z.enum(REJECT_REASON_TAGS)).max(REJECT_REASON_TAGS.length).default([]),
  comment: z.string().max(2000).optional(),
  msSpent: z.number().int().min(0).max(86_400_000).optional(),
});
export type VerdictRequest = z.input<typeof verdictRequest>;
/** The item's status is not in it: it would tell an annotator which items are gold. */
export type VerdictAnswer = { verdictId: number; progress: QueueProgress };

/** POST /api/verdicts/undo */
export const undoRequest = z.object({ ...claimant, filter: queueFilterSchema });
export type UndoRequest = z.input<typeof undoRequest>;
export type UndoAnswer = { itemId: number; undoneVerdictId: number; item: ReviewItem; progress: QueueProgress };

/** POST /api/items/:id/instructions */
export const instructionEditRequest = z.object({
  text: z.string().trim().min(1).max(4000),
});
export type InstructionEditAnswer = ReviewItem['instructions'][number];
