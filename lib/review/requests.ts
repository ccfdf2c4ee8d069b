import { z } from 'zod';
import { itemFilterSchema } from './filter';
import { REJECT_REASON_TAGS } from './reasons';

/** Request bodies of the review API, shared by the route handlers and the browser client. */

/** The page's own id (per browser tab); the server scopes it to the signed-in user. */
const claimant = {
  holder: z.string().min(8).max(100),
};

export const claimRequest = z.object({
  ...claimant,
  filter: itemFilterSchema,
  count: z.number().int().min(1).max(10).default(4),
  /** Items to have back first (the page's regeneration or rewrite of them ended). */
  prefer: z.array(z.number().int().positive()).max(10).optional(),
});

export const holderRequest = z.object({ holder: claimant.holder });

export const verdictRequest = z.object({
  ...claimant,
  filter: itemFilterSchema,
  itemId: z.number().int().positive(),
  decision: z.enum(['accept', 'reject', 'skip']),
  candidateId: z.number().int().positive().optional(),
  instructionVersionId: z.number().int().positive().optional(),
  reasons: z.array(z.enum(REJECT_REASON_TAGS)).max(REJECT_REASON_TAGS.length).default([]),
  comment: z.string().max(2000).optional(),
  msSpent: z.number().int().min(0).max(86_400_000).optional(),
});

export const undoRequest = z.object({ ...claimant, filter: itemFilterSchema });

export const instructionEditRequest = z.object({
  text: z.string().trim().min(1).max(4000),
});

export const adjudicationRequest = z.object({
  decision: z.enum(['accept', 'reject']),
  /** The version the item page shows (and the lead decides on); defaults to the current one. */
  candidateId: z.number().int().positive().optional(),
  instructionVersionId: z.number().int().positive().optional(),
  reasons: z.array(z.enum(REJECT_REASON_TAGS)).max(REJECT_REASON_TAGS.length).default([]),
  comment: z.string().max(2000).optional(),
});

export const goldRequest = z.object({
  /** Defaults to the item's decided status. */
  expected: z.enum(['accept', 'reject']).optional(),
});

export const reviewSettingsRequest = z
  .object({
    overlap: z.number().int().min(1).max(10).optional(),
    goldRate: z.number().min(0).max(0.5).optional(),
  })
  .refine((s) => s.overlap !== undefined || s.goldRate !== undefined, { message: 'give overlap or goldRate' });

export type ClaimRequest = z.input<typeof claimRequest>;
export type VerdictRequest = z.input<typeof verdictRequest>;
