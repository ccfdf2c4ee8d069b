/** Audit constants the browser needs too (no zod here, so client bundles stay small). */

export const POPULATION_KINDS = ['regenerated', 'accepted', 'filter'] as const;
export type PopulationKind = (typeof POPULATION_KINDS)[number];

/** What the population kinds mean, for the form and the report. */
export const POPULATION_LABELS: Record<PopulationKind, string> = {
  regenerated: 'Regenerated items (current edit is a regeneration)',
  accepted: 'Accepted items (error rate of the approved set)',
  filter: 'Any items matching a filter',
};

/** Largest sample a campaign may draw: beyond it, nobody audits it all, and its report stops being cheap. */
export const MAX_SAMPLE = 100_000;

/** Largest sample one stratum may ask for with fixed allocation. */
export const MAX_PER_STRATUM = 10_000;
