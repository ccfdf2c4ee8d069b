import { z } from 'zod';
import { itemFilterSchema } from './filter';
import { REJECT_REASON_TAGS } from './reasons';

/** Request bodies of the review API, shared by the route handlers and the browser client. */

const claimant = {
  holder: z.string().min(8).max(100),
  reviewer: z.string().trim().min(1).max(80),
};

export const claimRequest = z.object({
  ...claimant,
  filter: itemFilterSchema,
  count: z.number().int().min(1).max(10).default(4),
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
  reviewer: claimant.reviewer,
  text: z.string().trim().min(1).max(4000),
});

export type ClaimRequest = z.input<typeof claimRequest>;
export type VerdictRequest = z.input<typeof verdictRequest>;
