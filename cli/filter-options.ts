import type { z } from 'zod';

/**
 * The shared filter's dataset-independent terms (lib/review/filter.ts) as command-line
 * options, the same for export, regenerate and signals.
 */
export const EXTRA_FILTER_OPTIONS = {
  reviewer: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  text: { type: 'string' },
  origin: { type: 'string' },
  score: { type: 'string' },
  'score-min': { type: 'string' },
  'score-max': { type: 'string' },
  signal: { type: 'string' },
  'signal-min': { type: 'string' },
  'signal-max': { type: 'string' },
} as const;

type ExtraValues = { [K in keyof typeof EXTRA_FILTER_OPTIONS]?: string };

/** Those options' values as the filter schema's input. */
export function extraFilterInput(values: ExtraValues) {
  return {
    reviewer: values.reviewer,
    from: values.from,
    to: values.to,
    text: values.text,
    origin: values.origin,
    score: values.score,
    scoreMin: values['score-min'],
    scoreMax: values['score-max'],
    signal: values.signal,
    signalMin: values['signal-min'],
    signalMax: values['signal-max'],
  };
}

/** The first problem of a filter, named by its option: "invalid filter: --score-min: ...". */
export function filterProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  const flag = String(issue.path[0] ?? 'filter').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return `invalid filter: --${flag === 'instruction-type' ? 'type' : flag}: ${issue.message}`;
}
