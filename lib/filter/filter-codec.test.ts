/**
 * The filter's one URL and flag codec: any valid filter survives a trip through a URL, and
 * the links that hand a selection on ("Export these", "Review these") keep its terms.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CANDIDATE_ORIGINS,
  extraFilterSchema,
  ITEM_STATUSES,
  listFilterSchema,
  queueFilterSchema,
  SCORE_NAMES,
  IDS_MAX,
  SIGNAL_NAMES,
  type ListFilter,
} from './filter';
import {
  exportHref,
  exportPresetFromParams,
  filterInputFromFlags,
  filterInputFromParams,
  filterToParams,
  FLAG_NAMES,
  reviewHref,
  unknownParamsOf,
} from './filter-codec';

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
// -0 is written "0" in a URL; the filter's ranges do not tell them apart.
const number = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x));
const text = fc.string({ unit: 'grapheme', minLength: 1 });

/** Valid filters: random terms, kept when the schema takes them. */
const validFilter = fc
  .record({
    datasetId: fc.integer({ min: 1, max: 1_000_000 }),
    family: maybe(fc.oneof(fc.constantFrom('omniedit', 'x y', 'a/b', "o'brien", '&=?#%'), text)),
    task: maybe(fc.oneof(fc.constantFrom('style', 'a/b', '+ +'), text)),
    instructionType: maybe(fc.constantFrom('original', 'rewrite', 'complex')),
    status: maybe(fc.constantFrom(...ITEM_STATUSES)),
    reviewer: maybe(text),
    from: maybe(
      fc.oneof(
        fc.integer({ min: 0 }),
        fc.date({ noInvalidDate: true, min: new Date(0) }).map((d) => d.toISOString()),
      ),
    ),
    to: maybe(
      fc.oneof(
        fc.integer({ min: 0 }),
        fc.date({ noInvalidDate: true, min: new Date(0) }).map((d) => d.toISOString().slice(0, 10)),
      ),
    ),
    text: maybe(text),
    origin: maybe(fc.constantFrom(...CANDIDATE_ORIGINS)),
    score: maybe(fc.constantFrom(...SCORE_NAMES)),
    scoreMin: maybe(number),
    scoreMax: maybe(number),
    signal: maybe(fc.constantFrom(...SIGNAL_NAMES)),
    signalMin: maybe(number),
    signalMax: maybe(number),
    sort: maybe(fc.constantFrom('asc', 'desc')),
    ids: maybe(fc.uniqueArray(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), { minLength: 1, maxLength: 30 })),
  })
  .map((input) => listFilterSchema.safeParse(input))
  .filter((parsed) => parsed.success)
  .map((parsed) => parsed.data!);

/** Only the set terms: a parsed filter has no undefined keys to compare. */
const defined = (f: object) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined));

describe('filter codec', () => {
  it('decode(encode(f)) is f for any valid filter, through the URL text', () => {
    fc.assert(
      fc.property(validFilter, (filter) => {
        const url = new URLSearchParams(filterToParams(filter).toString());
        const back = listFilterSchema.parse(filterInputFromParams(url));
        expect(defined(back)).toEqual(defined(filter));
      }),
      { numRuns: 500 },
    );
  });

  it("reads Next's searchParams object too, and the dataset page's task=family/task form", () => {
    const input = filterInputFromParams({ dataset: ['3', '4'], task: 'omniedit/style', smin: '0.2', min: '' });
    expect(input).toEqual({ datasetId: '3', family: 'omniedit', task: 'style', signalMin: '0.2' });
    expect(filterInputFromParams(new URLSearchParams('task=omniedit/'))).toEqual({ family: 'omniedit' });
  });

  it('the CLI flags decode the dataset-independent terms by their flag names', () => {
    const flags = Object.fromEntries(Object.values(FLAG_NAMES).map((flag) => [flag, undefined]));
    const input = filterInputFromFlags({
      ...flags,
      signal: 'ssim',
      'signal-min': '0.5',
      'signal-max': '0.9',
      'score-min': '1',
      verbose: true,
    });
    expect(input).toEqual({ signal: 'ssim', signalMin: '0.5', signalMax: '0.9', scoreMin: '1' });
  });
});

describe('parameters that are no filter term', () => {
  it('are listed with their first value, from either form of the query', () => {
    expect(unknownParamsOf(new URLSearchParams('dataset=2&ssimMin=abc&smin=0.2&x=1&x=2'))).toEqual([
      ['ssimMin', 'abc'],
      ['x', '1'],
    ]);
    expect(unknownParamsOf({ dataset: '2', view: ['table', 'grid'], q: 'cat' })).toEqual([['view', 'table']]);
    expect(unknownParamsOf(filterToParams({ datasetId: 2, signal: 'ssim', signalMin: 0.2, ids: [1, 2] }))).toEqual([]);
  });
});

describe('links that hand a selection on', () => {
  const filter: ListFilter = {
    datasetId: 7,
    family: 'omniedit',
    task: 'style',
    instructionType: 'rewrite',
    status: 'accepted',
    score: 'o_score',
    scoreMin: 3,
    signal: 'judge_overall',
    signalMin: 0.25,
    signalMax: 0.75,
    sort: 'asc',
  };

  // Before the codec, the exports page read back only reviewer, dates, text, origin and the
  // score range: this selection's signal range was dropped and the export took every item.
  it('"Export these" keeps a signal-range filter on the exports page', () => {
    const href = exportHref(filter);
    const preset = exportPresetFromParams(new URL(href, 'http://x').searchParams);
    expect(preset).toEqual({
      datasetId: 7,
      status: 'accepted',
      family: 'omniedit',
      task: 'style',
      instructionType: 'rewrite',
      filter: { score: 'o_score', scoreMin: '3', signal: 'judge_overall', signalMin: '0.25', signalMax: '0.75' },
    });
    // What the export form posts parses to the same signal range.
    expect(extraFilterSchema.parse(preset.filter)).toMatchObject({ signal: 'judge_overall', signalMin: 0.25, signalMax: 0.75 });
  });

  it('"Review these" keeps every term but the lead-only ones, signal range included', () => {
    const params = new URL(reviewHref({ ...filter, reviewer: 'ana', text: 'sky', ids: [3, 5] }), 'http://x').searchParams;
    expect(filterInputFromParams(params)).toEqual({
      datasetId: '7',
      family: 'omniedit',
      task: 'style',
      instructionType: 'rewrite',
      text: 'sky',
      score: 'o_score',
      scoreMin: '3',
      signal: 'judge_overall',
      signalMin: '0.25',
      signalMax: '0.75',
      sort: 'asc',
      ids: '3,5',
    });
    // What the review page parses: the queue filter, with the range and the ids.
    expect(queueFilterSchema.parse(filterInputFromParams(params))).toMatchObject({ signal: 'judge_overall', signalMin: 0.25, ids: [3, 5] });
    // A sort by a score alone is the browser's order, not the queue's.
    expect(new URL(reviewHref({ datasetId: 7, score: 'o_score', sort: 'desc' }), 'http://x').searchParams.get('sort')).toBeNull();
  });
});

describe('an explicit selection (ids)', () => {
  it('round-trips through a URL, sorted and without repeats', () => {
    const filter = listFilterSchema.parse({ datasetId: 2, ids: [30, 4, 30, 12] });
    expect(filter.ids).toEqual([4, 12, 30]);
    const params = new URLSearchParams(filterToParams(filter).toString());
    expect(params.get('ids')).toBe('4,12,30');
    expect(listFilterSchema.parse(filterInputFromParams(params)).ids).toEqual([4, 12, 30]);
  });

  it('"Export these" hands the ids on, and the export form\'s post parses them', () => {
    const preset = exportPresetFromParams(new URL(exportHref({ datasetId: 2, ids: [5, 9] }), 'http://x').searchParams);
    expect(preset.filter).toEqual({ ids: '5,9' });
    expect(extraFilterSchema.parse(preset.filter).ids).toEqual([5, 9]);
    expect(filterInputFromFlags({ ids: '5,9' })).toEqual({ ids: '5,9' });
  });

  it('refuses more than IDS_MAX ids, a bad id and an empty list, each with a message that says so', () => {
    const many = Array.from({ length: IDS_MAX + 1 }, (_, i) => i + 1).join(',');
    const issue = (ids: unknown) => listFilterSchema.safeParse({ datasetId: 1, ids }).error?.issues[0];
    expect(issue(many)).toMatchObject({
      path: ['ids'],
      message: expect.stringMatching(/at most 5,000 items \(5,001 given\): select all matching/),
    });
    expect(issue('1,x2')?.message).toBe('not an item id: x2');
    expect(issue('1,-3')?.message).toBe('not an item id: -3');
    expect(issue(',')?.message).toBe('a selection names at least one item');
    expect(listFilterSchema.safeParse({ datasetId: 1, ids: many.split(',').slice(0, IDS_MAX).join(',') }).success).toBe(true);
  });
});
