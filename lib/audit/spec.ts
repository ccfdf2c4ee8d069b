import { z } from 'zod';
import { MAX_PER_STRATUM, POPULATION_KINDS } from './constants';

/**
 * The shapes of audit requests, shared by lib/audit, the route handlers and the pages
 * (no database code here, so client components can import the types).
 */

export { MAX_PER_STRATUM, MAX_SAMPLE, POPULATION_KINDS, POPULATION_LABELS, type PopulationKind } from './constants';

export const populationSchema = z.object({
  kind: z.enum(POPULATION_KINDS),
  /**
   * Terms of the shared filter (lib/review/filter.ts) other than the dataset, e.g.
   * { family: 'omniedit', instructionType: 'rewrite' }. Checked with listFilterSchema.
   */
  filter: z.record(z.string(), z.unknown()).optional(),
});
export type PopulationSpec = z.infer<typeof populationSchema>;

export const samplingSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('fixed'), perStratum: z.number().int().min(1).max(MAX_PER_STRATUM) }),
  z.object({
    mode: z.literal('margin'),
    /** Half-width of the confidence interval wanted for each stratum's pass rate (0.05 = ±5 points). */
    margin: z.number().gt(0).max(0.5),
    confidence: z.number().gt(0.5).lt(1).optional(),
  }),
]);
export type SamplingSpec = z.infer<typeof samplingSchema>;

const MAX_SEED = 2 ** 32 - 1;

/** What a preview needs: which items, how many of each stratum. */
export const previewRequest = z.object({
  datasetId: z.number().int().positive(),
  population: populationSchema,
  sampling: samplingSchema,
  /** Only changes which items are drawn, not how many; accepted so the form can send one body. */
  seed: z.number().int().min(0).max(MAX_SEED).optional(),
});
export type PreviewRequest = z.infer<typeof previewRequest>;

export const campaignRequest = previewRequest.extend({
  name: z.string().trim().min(1, 'a campaign needs a name').max(200),
  blind: z.boolean().default(true),
});
export type CampaignRequest = z.input<typeof campaignRequest>;

export const RUBRIC_DIMENSIONS = ['instructionFollowing', 'identityPreservation', 'visualQuality'] as const;
export type RubricDimension = (typeof RUBRIC_DIMENSIONS)[number];

const score = z.number().int().min(0).max(10);

export const resultSchema = z.object({
  instructionFollowing: score,
  identityPreservation: score,
  visualQuality: score,
  pass: z.boolean(),
  note: z.string().max(4000).optional(),
  msSpent: z.number().int().min(0).max(86_400_000).optional(),
});
export type AuditScores = z.infer<typeof resultSchema>;

/** The audit page's id (a browser tab): leases belong to it, scoped to the user by the route. */
const holder = z.string().min(8).max(100);

export const claimRequest = z.object({ holder });
export const resultRequest = resultSchema.extend({ holder: holder.optional(), itemId: z.number().int().positive() });
