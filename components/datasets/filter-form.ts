import type { FilterInput } from '@/lib/filter/filter-codec';

/**
 * The dataset browser's filter form as plain data: the terms as the form holds them (strings, as
 * the URL carries them), each term's label, the checks that explain a bad value beside its field
 * (in words, never the schema's raw message, and without touching what was typed), and the chips
 * that name the active terms. The filter itself is lib/filter/filter.ts, its URL encoding
 * lib/filter/filter-codec.ts: this file only reads and writes their terms.
 */
export type FormTerms = Omit<FilterInput, 'datasetId'>;
export type FormTerm = keyof FormTerms;

/** Each term's label: the form's labels, the chips and the inline explanations use the same words. */
export const TERM_LABELS: Record<FormTerm, string> = {
  family: 'Family',
  task: 'Task',
  instructionType: 'Instruction type',
  status: 'Status',
  reviewer: 'Verdict by',
  from: 'Verdict from',
  to: 'Verdict to',
  text: 'Instruction contains',
  search: 'Search',
  origin: 'Edited image',
  score: 'Score',
  scoreMin: 'Score min',
  scoreMax: 'Score max',
  signal: 'Signal',
  signalMin: 'Signal min',
  signalMax: 'Signal max',
  sort: 'Sort',
  ids: 'Selected items',
};

const isNumber = (value: string) => value.trim() !== '' && Number.isFinite(Number(value));
const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/**
 * What is wrong with the terms, by term, in words a person reads at the field (empty: nothing).
 * The server checks them again; its answer is worded by `explainServerIssue`.
 */
export function checkTerms(terms: FormTerms): Partial<Record<FormTerm, string>> {
  const problems: Partial<Record<FormTerm, string>> = {};
  for (const [key, min, max, name] of [
    ['score', 'scoreMin', 'scoreMax', 'score'],
    ['signal', 'signalMin', 'signalMax', 'signal'],
  ] as const) {
    for (const term of [min, max]) {
      const value = terms[term];
      if (present(value) && !isNumber(value)) problems[term] = `“${value.trim().slice(0, 40)}” is not a number: write one like 0.25`;
      else if (present(value) && !present(terms[key])) problems[term] = `choose the ${name} this range is of`;
    }
    const low = terms[min];
    const high = terms[max];
    if (!problems[min] && !problems[max] && present(low) && present(high) && Number(low) > Number(high)) {
      problems[max] = `below the minimum (${Number(low)}): nothing could match`;
    }
  }
  if (present(terms.sort) && !present(terms.score) && !present(terms.signal)) problems.sort = 'choose a score or a signal to sort by';
  if (present(terms.from) && present(terms.to) && terms.from > terms.to) problems.to = 'before the start date';
  return problems;
}

/** Messages the schema writes for a wrong type or format: worded again for a person. */
const RAW = /^(invalid|expected)|received|too_|nan\b/i;

/**
 * A term's problem as the server named it ("signalMin: …", the routes' 400) in words for its
 * field: the filter's own messages are written for people and kept; a raw schema message is not.
 */
export function explainServerIssue(message: string): { term: FormTerm | undefined; text: string } {
  const match = /^(\w+): (.*)$/s.exec(message);
  const term = match && match[1] in TERM_LABELS ? (match[1] as FormTerm) : undefined;
  const said = match ? match[2] : message;
  if (!RAW.test(said)) return { term, text: said };
  if (term === 'scoreMin' || term === 'scoreMax' || term === 'signalMin' || term === 'signalMax') {
    return { term, text: 'not a number: write one like 0.25' };
  }
  return { term, text: term ? `this ${TERM_LABELS[term].toLowerCase()} is not one Loupe knows` : 'a filter value is not one Loupe knows' };
}

interface Chip {
  /** What the chip reads. */
  label: string;
  /** The terms removing it clears. */
  clears: FormTerm[];
}

const range = (min: string | undefined, max: string | undefined) =>
  present(min) && present(max) ? `${min}–${max}` : present(min) ? `≥ ${min}` : present(max) ? `≤ ${max}` : '';

/** The active filter as removable chips, in the form's order (a range travels with its score or signal). */
export function chipsOf(terms: FormTerms): Chip[] {
  const chips: Chip[] = [];
  const add = (label: string, ...clears: FormTerm[]) => chips.push({ label, clears });
  if (present(terms.search)) add(`Search: “${terms.search}”`, 'search');
  if (present(terms.family)) add(present(terms.task) ? `${terms.family} / ${terms.task}` : `${terms.family}: all tasks`, 'family', 'task');
  if (present(terms.instructionType)) add(`Type: ${terms.instructionType}`, 'instructionType');
  if (present(terms.status)) add(`Status: ${terms.status}`, 'status');
  if (present(terms.reviewer)) add(`Verdict by ${terms.reviewer}`, 'reviewer');
  if (present(terms.from) || present(terms.to)) add(`Verdicts ${range(dayOf(terms.from), dayOf(terms.to))}`, 'from', 'to');
  if (present(terms.text)) add(`Contains “${terms.text}”`, 'text');
  if (present(terms.origin)) add(`Edited image: ${terms.origin}`, 'origin');
  if (present(terms.score)) add(`${terms.score} ${range(terms.scoreMin, terms.scoreMax)}`.trim(), 'score', 'scoreMin', 'scoreMax');
  if (present(terms.signal)) add(`${terms.signal} ${range(terms.signalMin, terms.signalMax)}`.trim(), 'signal', 'signalMin', 'signalMax');
  if (present(terms.sort)) add(terms.sort === 'desc' ? 'Highest first' : 'Lowest first', 'sort');
  if (present(terms.ids)) add(`${terms.ids.split(',').filter(Boolean).length.toLocaleString('en-US')} chosen items`, 'ids');
  return chips;
}

/** A date input's value for a term the URL may carry as ms or as a date. */
export function dayOf(value: string | undefined): string {
  if (!present(value)) return '';
  if (/^\d+$/.test(value)) return new Date(Number(value)).toISOString().slice(0, 10);
  return value.slice(0, 10);
}

/** The terms without the ones named (a chip removed). */
export function without(terms: FormTerms, clears: FormTerm[]): FormTerms {
  const rest = { ...terms };
  for (const term of clears) delete rest[term];
  return rest;
}
