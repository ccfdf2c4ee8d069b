import type { z } from 'zod';
import { filterInputFromFlags, flagOf, FLAG_NAMES } from '@/lib/filter/filter-codec';

/**
 * The shared filter's dataset-independent terms (lib/filter/filter.ts) as command-line
 * options, the same for export, regenerate and signals.
 */
export const EXTRA_FILTER_OPTIONS = Object.fromEntries(Object.values(FLAG_NAMES).map((flag) => [flag, { type: 'string' as const }])) as {
  [F in (typeof FLAG_NAMES)[keyof typeof FLAG_NAMES]]: { type: 'string' };
};

type ExtraValues = { [K in keyof typeof EXTRA_FILTER_OPTIONS]?: string };

/** Those options' values as the filter schema's input (the flag table is lib/filter/filter-codec.ts). */
export const extraFilterInput = (values: ExtraValues) => filterInputFromFlags(values);

/** The first problem of a filter, named by its option: "invalid filter: --score-min: ...". */
export function filterProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  return `invalid filter: --${issue.path.length ? flagOf(String(issue.path[0])) : 'filter'}: ${issue.message}`;
}
