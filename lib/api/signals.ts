import { z } from 'zod';
import { listFilterSchema } from '@/lib/filter/filter';
import type { GroupSummary } from '@/lib/signals/groups';

/** The signals API (app/api/signals): what the route handlers parse and answer. */

/** POST /api/signals: 202 */
export const signalsRequest = z.object({
  filter: listFilterSchema,
  /** Measure items again even when their candidate already has its signals. */
  force: z.boolean().optional(),
  /** Every candidate of an item, not only its current one. */
  allCandidates: z.boolean().optional(),
});
export type SignalsAnswer = { queued: number; matched: number; skippedComputed: number; skippedActive: number };

/** POST /api/signals/group */
export const groupRequest = z.object({
  datasetId: z.number().int().positive(),
  maxDistance: z.number().int().min(0).max(32).optional(),
});
export type GroupAnswer = { groups: GroupSummary };
