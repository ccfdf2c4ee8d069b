import { z } from 'zod';
import { idValue } from '@/lib/http/params';
import { searchTermSql } from '@/lib/search/query';
import { searchSyntax } from '@/lib/search/syntax';

/**
 * Imported scores kept in items.metadata (OmniEdit, then UltraEdit), each with an expression
 * index `items_score_<name>` on (dataset_id, json_extract(metadata, '$.<name>'), id).
 */
export const SCORE_NAMES = [
  'sc_score_1',
  'sc_score_2',
  'pq_score',
  'o_score',
  'clip_sim_source',
  'clip_sim_target',
  'clip_sim_dir',
  'clip_sim_image',
  'dinov2_sim',
  'ssim',
] as const;
export type ScoreName = (typeof SCORE_NAMES)[number];

/** The score's value, written exactly as in its index so SQLite can use it. */
export const scoreSql = (name: ScoreName) => `json_extract(metadata, '$.${name}')`;

/**
 * Signals Loupe computes for a candidate (lib/signals), kept in the `signals` table and
 * ranked per dataset by its index signals_rank (dataset_id, name, value, item_id).
 */
export const SIGNAL_NAMES = [
  'judge_overall',
  'judge_sc',
  'judge_pq',
  'ssim',
  'changed_fraction',
  'padding_residual',
  'dup_source',
  'dup_edit',
] as const;
export type SignalName = (typeof SIGNAL_NAMES)[number];

/** The value of a signal of the item's current candidate (a primary-key lookup). */
export const signalSql = (name: SignalName) =>
  `(SELECT value FROM signals WHERE candidate_id = items.current_candidate_id AND name = '${name}')`;

export const ITEM_STATUSES = ['pending', 'accepted', 'rejected', 'disputed'] as const;
export const CANDIDATE_ORIGINS = ['dataset', 'regenerated'] as const;

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A moment as ms since the epoch, from ms or an ISO date. A bare date is a whole UTC day:
 * `from` its start, `to` its last millisecond, so from=to=2026-11-27 is that day.
 */
function moment(end: 'from' | 'to') {
  return z.union([z.number(), z.string().trim().min(1)]).transform((value, ctx) => {
    if (typeof value === 'number') return value;
    if (/^\d+$/.test(value)) return Number(value);
    const ms = Date.parse(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: `not a date: ${value} (use ms or an ISO date)` });
      return z.NEVER;
    }
    return DATE_ONLY.test(value) && end === 'to' ? ms + DAY_MS - 1 : ms;
  });
}

/** The queue's filter terms: served by the items_queue* indexes in (family, task, id) order. */
const queueShape = {
  datasetId: idValue,
  family: z.string().min(1).optional(),
  task: z.string().min(1).optional(),
  instructionType: z.enum(['original', 'rewrite', 'complex']).optional(),
  /** Queue and page order by a computed signal of the current candidate ("lowest judge score first"). */
  signal: z.enum(SIGNAL_NAMES).optional(),
  /**
   * Order by the signal when one is chosen (the queue too), else by `score` (dataset page);
   * items without it are then left out. The queue goes ascending unless this is desc.
   */
  sort: z.enum(['asc', 'desc']).optional(),
};

const taskNeedsFamily: [(f: { task?: string; family?: string }) => boolean, { message: string; path: string[] }] = [
  (f) => !f.task || !!f.family,
  { message: 'a task filter needs its family', path: ['task'] },
];

/** Which items a queue looks at. Task is only meaningful with a family. */
export const itemFilterSchema = z.object(queueShape).refine(...taskNeedsFamily);
export type ItemFilter = z.infer<typeof itemFilterSchema>;

/** The most items an explicit selection names: more is "all matching" (the filter alone). */
export const IDS_MAX = 5000;

/**
 * An explicit selection of items (the dataset page's), as a list or as the URL's comma-separated
 * ids; kept sorted and without repeats so it reads the same after a trip through a URL.
 */
const idList = z.union([z.string(), z.array(z.union([z.number(), z.string()]))]).transform((value, ctx) => {
  const parts = (typeof value === 'string' ? value.split(',') : value.map(String)).map((part) => part.trim()).filter(Boolean);
  const bad = parts.find((part) => !/^[1-9]\d{0,15}$/.test(part) || !Number.isSafeInteger(Number(part)));
  const message =
    bad !== undefined
      ? `not an item id: ${bad.slice(0, 40)}`
      : parts.length === 0
        ? 'a selection names at least one item'
        : parts.length > IDS_MAX
          ? `a selection names at most ${IDS_MAX.toLocaleString('en-US')} items (${parts.length.toLocaleString('en-US')} given): select all matching instead, or narrow the filter`
          : undefined;
  if (message) {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  }
  return [...new Set(parts.map(Number))].sort((a, b) => a - b);
});

/** The filter terms that do not depend on the dataset: what an export across datasets can use too. */
const extraShape = {
  status: z.enum(ITEM_STATUSES).optional(),
  /** The reviewer of the live verdict (latest accept or reject not undone). */
  reviewer: z.string().trim().min(1).optional(),
  /** The live verdict's time range, inclusive (ms; ISO dates accepted). */
  from: moment('from').optional(),
  to: moment('to').optional(),
  /** Text any instruction version of the item contains (case-insensitive). */
  text: z.string().trim().min(1).optional(),
  /**
   * Words, `word*` prefixes and "phrases" that the item's instruction versions or input description
   * hold (lib/search: the full-text index; case and accents ignored). Anything else, such as FTS5
   * operators or a text without a word, is refused with the reason (lib/search/syntax.ts).
   */
  search: z
    .string()
    .trim()
    .superRefine((text, context) => {
      const { error } = searchSyntax(text);
      if (error !== undefined) context.addIssue({ code: 'custom', message: error });
    })
    .optional(),
  /** The origin of the item's current candidate. */
  origin: z.enum(CANDIDATE_ORIGINS).optional(),
  score: z.enum(SCORE_NAMES).optional(),
  scoreMin: z.coerce.number().finite().optional(),
  scoreMax: z.coerce.number().finite().optional(),
  /** A range of the chosen signal (`signal`, a queue term, names it). */
  signalMin: z.coerce.number().finite().optional(),
  signalMax: z.coerce.number().finite().optional(),
  /** Only these items (an explicit selection, at most IDS_MAX). */
  ids: idList.optional(),
};

type Ranked = {
  score?: string;
  scoreMin?: number;
  scoreMax?: number;
  signal?: string;
  signalMin?: number;
  signalMax?: number;
  sort?: string;
};
type Check = [(f: Ranked) => boolean, { message: string; path: string[] }];
const scoreNeedsName: Check = [
  (f) => !!f.score || (f.scoreMin === undefined && f.scoreMax === undefined),
  { message: 'a score range needs the score', path: ['score'] },
];
const signalNeedsName: Check = [
  (f) => !!f.signal || (f.signalMin === undefined && f.signalMax === undefined),
  { message: 'a signal range needs the signal', path: ['signal'] },
];
const sortNeedsKey: Check = [
  (f) => f.sort === undefined || !!f.score || !!f.signal,
  { message: 'a sort needs a score or a signal', path: ['sort'] },
];

export const listFilterSchema = z
  .object({ ...queueShape, ...extraShape })
  .refine(...taskNeedsFamily)
  .refine(...scoreNeedsName)
  .refine(...signalNeedsName)
  .refine(...sortNeedsKey);
export type ListFilter = z.infer<typeof listFilterSchema>;

/**
 * A review queue's filter: the queue terms and the browser's terms that are not lead-only (text,
 * search, origin, score and signal ranges, an id list), so "Review these" reviews exactly the
 * browser's selection. Status and the live verdict's terms (reviewer, from, to) have no place in a
 * queue of pending items: they are dropped. The claim and verdict API and the review page parse
 * with this (lib/review/queue.ts takes it).
 */
export const queueFilterSchema = listFilterSchema.transform(({ status: _s, reviewer: _r, from: _f, to: _t, ...queue }) => queue);
export type QueueFilter = z.infer<typeof queueFilterSchema>;

/** The queue filter's terms beyond the queue's own (dataset, family, task, type, signal, sort). */
export const QUEUE_EXTRA_TERMS = ['text', 'search', 'origin', 'score', 'scoreMin', 'scoreMax', 'signalMin', 'signalMax', 'ids'] as const;

/** The dataset-independent terms, for selections that may span datasets (exports). */
export const extraFilterSchema = z
  .object({ ...extraShape, signal: queueShape.signal, sort: queueShape.sort })
  .refine(...scoreNeedsName)
  .refine(...signalNeedsName)
  .refine(...sortNeedsKey);
export type ExtraFilter = z.infer<typeof extraFilterSchema>;

/** The dataset-independent terms by name (not status, placed with the indexed terms, nor sort): for code that copies them from a wider object. */
export const EXTRA_TERM_KEYS = Object.keys({ ...extraShape, signal: queueShape.signal }).filter((key) => key !== 'status') as (keyof Omit<
  ExtraFilter,
  'status' | 'sort'
>)[];

type Params = (string | number)[];

/** A LIKE pattern matching the text anywhere, with LIKE's own wildcards taken literally. */
const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The WHERE terms of the dataset-independent filters, over `items` (no status: the caller
 * places it with the indexed terms). Empty when none is set.
 */
export function extraFilterSql(filter: Omit<ExtraFilter, 'status' | 'sort'>): { terms: string[]; params: Params } {
  const terms: string[] = [];
  const params: Params = [];
  if (filter.reviewer !== undefined || filter.from !== undefined || filter.to !== undefined) {
    // The live verdict: the latest verdict of the decision that gives the item its status, not
    // undone (a review or adjudication; gold answers never decide an item).
    const conditions: string[] = [];
    if (filter.reviewer !== undefined) {
      // Asked for by username; rows record the user id (lib/auth/actors.ts), or a label.
      conditions.push('v.reviewer = coalesce((SELECT id FROM users WHERE username = ?), ?)');
      params.push(filter.reviewer, filter.reviewer);
    }
    if (filter.from !== undefined) {
      conditions.push('v.created_at >= ?');
      params.push(filter.from);
    }
    if (filter.to !== undefined) {
      conditions.push('v.created_at <= ?');
      params.push(filter.to);
    }
    terms.push(
      `items.status IN ('accepted', 'rejected') AND EXISTS (SELECT 1 FROM verdicts v WHERE v.id = (
         SELECT max(l.id) FROM verdicts l
         WHERE l.item_id = items.id AND l.decision = CASE items.status WHEN 'accepted' THEN 'accept' ELSE 'reject' END
           AND l.kind != 'gold'
           AND NOT EXISTS (SELECT 1 FROM verdicts u WHERE u.undoes_verdict_id = l.id))
       AND ${conditions.join(' AND ')})`,
    );
  }
  if (filter.text !== undefined) {
    // One pass over the instruction texts per query (not correlated: SQLite builds the id set
    // once), about 0.4 s at 1.5M items. A full-text index was measured to make every import
    // 2.7x slower (trigram) or 1.5x (words): text search is occasional, imports are bulk.
    terms.push(`items.id IN (SELECT iv.item_id FROM instruction_versions iv WHERE iv.text LIKE ? ESCAPE '\\')`);
    params.push(containsPattern(filter.text));
  }
  if (filter.ids !== undefined) {
    // A primary-key lookup per id; an empty list matches nothing.
    terms.push('items.id IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(filter.ids));
  }
  if (filter.search !== undefined) {
    const search = searchTermSql(filter.search);
    terms.push(search.term);
    params.push(...search.params);
  }
  if (filter.origin !== undefined) {
    terms.push('EXISTS (SELECT 1 FROM candidates c WHERE c.id = items.current_candidate_id AND c.origin = ?)');
    params.push(filter.origin);
  }
  if (filter.signal !== undefined && (filter.signalMin !== undefined || filter.signalMax !== undefined)) {
    const value = signalSql(filter.signal);
    if (filter.signalMin !== undefined) {
      terms.push(`${value} >= ?`);
      params.push(filter.signalMin);
    }
    if (filter.signalMax !== undefined) {
      terms.push(`${value} <= ?`);
      params.push(filter.signalMax);
    }
  }
  if (filter.score !== undefined) {
    const value = scoreSql(filter.score);
    // Matches the partial index's WHERE, so a score range is an index range.
    terms.push(`${value} IS NOT NULL`);
    if (filter.scoreMin !== undefined) {
      terms.push(`${value} >= ?`);
      params.push(filter.scoreMin);
    }
    if (filter.scoreMax !== undefined) {
      terms.push(`${value} <= ?`);
      params.push(filter.scoreMax);
    }
  }
  return { terms, params };
}

/**
 * The filter's signal range as bounds on `s.value`, for queries that walk signals_rank
 * (`FROM signals s`): the walk then seeks the range instead of stepping over every value below it.
 * The range stays in the item terms too; this only narrows the walk.
 */
export function signalRankRangeSql(filter: Pick<ExtraFilter, 'signalMin' | 'signalMax'>): { sql: string; params: number[] } {
  const terms: string[] = [];
  const params: number[] = [];
  if (filter.signalMin !== undefined) {
    terms.push('AND s.value >= ?');
    params.push(filter.signalMin);
  }
  if (filter.signalMax !== undefined) {
    terms.push('AND s.value <= ?');
    params.push(filter.signalMax);
  }
  return { sql: terms.join(' '), params };
}

/** True when the filter has terms the item_counts table cannot answer. */
export function hasExtraTerms(filter: Omit<ExtraFilter, 'status' | 'sort'>): boolean {
  return extraFilterSql(filter).terms.length > 0;
}

/**
 * The WHERE terms for a filter over `items`, with positional parameters. The order of the
 * queue terms matches the items_queue / items_queue_type indexes; the other terms follow.
 * `status` overrides the filter's own status (the queue passes 'pending').
 */
export function filterSql(
  filter: ItemFilter & Partial<ListFilter>,
  status?: string,
  /** Prefix the item columns with `items.` (queries that join another table with a dataset_id). */
  qualified = false,
): { where: string; params: Params } {
  const column = (name: string) => (qualified ? `items.${name}` : name);
  const terms = [`${column('dataset_id')} = ?`];
  const params: Params = [filter.datasetId];
  const byStatus = status ?? filter.status;
  if (byStatus) {
    terms.push(`${column('status')} = ?`);
    params.push(byStatus);
  }
  if (filter.instructionType) {
    terms.push(`${column('instruction_type')} = ?`);
    params.push(filter.instructionType);
  }
  if (filter.family) {
    terms.push(`${column('family')} = ?`);
    params.push(filter.family);
    if (filter.task) {
      terms.push(`${column('task')} = ?`);
      params.push(filter.task);
    }
  }
  const extra = extraFilterSql(filter);
  return { where: [...terms, ...extra.terms].join(' AND '), params: [...params, ...extra.params] };
}
