import { z } from 'zod';
import { MAX_PER_STRATUM, POPULATION_KINDS } from './constants';

/**
 * The parts of an audit spec (population, sampling, rubric scores), shared by lib/audit, the
 * API contract (lib/api/audits.ts) and the pages (no database code here, so client components
 * can import the types).
 */

export { MAX_SAMPLE, POPULATION_LABELS, type PopulationKind } from './constants';

export const populationSchema = z.object({
  kind: z.enum(POPULATION_KINDS),
  /**
   * Terms of the shared filter (lib/filter/filter.ts) other than the dataset, e.g.
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
