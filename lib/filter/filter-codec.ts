import type { ListFilter } from './filter';

/**
 * The one encoding of the shared filter (./filter.ts) in URLs and command-line flags. Pages,
 * links and the CLI all go through here, so a term added to the filter is added once.
 * Decoding gives the schema's input (strings); the caller parses it with its schema.
 */
type Term = keyof ListFilter;

/** Each term's URL parameter. */
export const URL_PARAMS = {
  datasetId: 'dataset',
  family: 'family',
  task: 'task',
  instructionType: 'type',
  status: 'status',
  reviewer: 'reviewer',
  from: 'from',
  to: 'to',
  text: 'text',
  search: 'q',
  origin: 'origin',
  score: 'score',
  scoreMin: 'min',
  scoreMax: 'max',
  signal: 'signal',
  signalMin: 'smin',
  signalMax: 'smax',
  sort: 'sort',
  ids: 'ids',
} as const satisfies Record<Term, string>;

/** Each dataset-independent term's command-line flag (export, regenerate, signals). */
export const FLAG_NAMES = {
  reviewer: 'reviewer',
  from: 'from',
  to: 'to',
  text: 'text',
  search: 'search',
  origin: 'origin',
  score: 'score',
  scoreMin: 'score-min',
  scoreMax: 'score-max',
  signal: 'signal',
  signalMin: 'signal-min',
  signalMax: 'signal-max',
  ids: 'ids',
} as const;
export type FlagTerm = keyof typeof FLAG_NAMES;

/** The flag that sets a term, for error messages ("--score-min"); type is --type. */
export const flagOf = (term: string) =>
  term === 'instructionType'
    ? 'type'
    : ((FLAG_NAMES as Record<string, string>)[term] ?? term.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));

type Search = URLSearchParams | Record<string, string | string[] | undefined>;
export type FilterInput = { [K in Term]?: string };

const firstOf = (search: Search, key: string): string | undefined => {
  if (search instanceof URLSearchParams) return search.get(key) || undefined;
  const value = search[key];
  return (Array.isArray(value) ? value[0] : value) || undefined;
};

/** The filter's terms as URL parameters (unset terms left out), in a stable order. */
export function filterToParams(filter: Partial<ListFilter>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [term, key] of Object.entries(URL_PARAMS) as [Term, string][]) {
    const value = filter[term];
    // An id list is written comma-separated (String of an array), which the schema reads back.
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  return params;
}

/**
 * URL parameters (a URLSearchParams or Next's searchParams) as the filter schema's input.
 * The dataset page's task select sends task=family/task; that form is read too.
 */
export function filterInputFromParams(search: Search): FilterInput {
  const input: FilterInput = {};
  for (const [term, key] of Object.entries(URL_PARAMS) as [Term, string][]) {
    const value = firstOf(search, key);
    if (value !== undefined) input[term] = value;
  }
  if (input.family === undefined && input.task?.includes('/')) {
    const [family, ...task] = input.task.split('/');
    input.family = family || undefined;
    input.task = task.join('/') || undefined;
  }
  return input;
}

/**
 * The URL parameters that are no filter term (`?ssimMin=2`), each with its first value, so a page
 * can say it ignored them rather than drop them without a word.
 */
export function unknownParamsOf(search: Search): [string, string][] {
  const known = new Set<string>(Object.values(URL_PARAMS));
  const keys = search instanceof URLSearchParams ? [...new Set(search.keys())] : Object.keys(search);
  return keys.filter((key) => !known.has(key)).map((key) => [key, firstOf(search, key) ?? '']);
}

/** Parsed command-line values (keyed by flag) as the filter schema's input. */
export function filterInputFromFlags(values: { [flag: string]: string | boolean | undefined }): { [K in FlagTerm]?: string } {
  const input: { [K in FlagTerm]?: string } = {};
  for (const [term, flag] of Object.entries(FLAG_NAMES) as [FlagTerm, string][]) {
    const value = values[flag];
    if (typeof value === 'string') input[term] = value;
  }
  return input;
}

/** The terms an export across datasets takes besides dataset, status, family, task and type. */
const EXPORT_EXTRA: FlagTerm[] = Object.keys(FLAG_NAMES) as FlagTerm[];

/** The selection "Export these" hands the exports page, read back from its URL. */
export function exportPresetFromParams(search: Search) {
  const input = filterInputFromParams(search);
  const filter: Record<string, string> = {};
  for (const term of EXPORT_EXTRA) if (input[term] !== undefined) filter[term] = input[term]!;
  const datasetId = Number(input.datasetId);
  return {
    datasetId: Number.isSafeInteger(datasetId) && datasetId > 0 ? datasetId : undefined,
    status: input.status,
    family: input.family,
    task: input.task,
    instructionType: input.instructionType,
    filter,
  };
}

/** "Export these": the exports page with this selection (sort does not matter to an export). */
export const exportHref = (filter: Partial<ListFilter>) => `/exports?${filterToParams({ ...filter, sort: undefined })}`;

/**
 * "Review these": the queue with every term that is not lead-only (queueFilterSchema in ./filter.ts):
 * the queue terms and the text, search, origin, score and signal ranges and id list, so the review
 * page reviews exactly the selection. Status and the live verdict's terms are left out (a queue
 * holds pending items), and a sort only goes with the signal the queue orders by.
 */
export const reviewHref = (filter: Partial<ListFilter>) => {
  const { status: _s, reviewer: _r, from: _f, to: _t, ...queue } = filter;
  return `/review?${filterToParams({ ...queue, sort: queue.signal ? queue.sort : undefined })}`;
};
