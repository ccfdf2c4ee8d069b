import { z } from 'zod';
import { decimalCount, decimalId } from '@/lib/http/params';
import type { ReviewSettings } from '@/lib/review/gold';
import type { LiveLease } from '@/lib/review/queue';
import type { TeamStats } from '@/lib/team/stats';

/**
 * The team page's API (app/api/team, app/api/leases, app/api/datasets/:id/settings): what the
 * route handlers parse and answer.
 */

const emptyIsMissing = (value: unknown) => (value === '' ? undefined : value);

/** GET /api/team?datasetId=&since= (leads: everyone's rows; others: their own). */
export const teamQuery = z.object({
  datasetId: decimalId('give datasetId, a dataset id'),
  since: z.preprocess(emptyIsMissing, decimalCount('since must be a time in ms').optional()),
});
export type TeamAnswer = TeamStats;

/** GET /api/leases */
export interface LeasesAnswer {
  leases: LiveLease[];
  /** The server's clock when it answered. */
  now: number;
}
/** DELETE /api/leases/:itemId */
export type LeaseReleaseAnswer = { released: boolean };

/** PATCH /api/datasets/:id/settings (GET answers the same ReviewSettings). */
export const reviewSettingsRequest = z
  .object({
    overlap: z.number().int().min(1).max(10).optional(),
    goldRate: z.number().min(0).max(0.5).optional(),
  })
  .refine((s) => s.overlap !== undefined || s.goldRate !== undefined, { message: 'give overlap or goldRate' });
export type ReviewSettingsRequest = z.input<typeof reviewSettingsRequest>;
export type ReviewSettingsAnswer = ReviewSettings;
