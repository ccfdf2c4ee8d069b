/**
 * Property-based tests (fast-check) of the shared filter model: whatever arrives (URL
 * parameters, JSON bodies, stored batch filters), parsing either succeeds or fails with a
 * validation error, a parsed filter survives being stored and read again, and its SQL runs
 * on a real database with exactly its parameters.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import type { Db } from '@/db';
import { cleanupTemp, tempDb } from '@/lib/test/factories';
import {
  CANDIDATE_ORIGINS,
  extraFilterSchema,
  filterSql,
  ITEM_STATUSES,
  itemFilterSchema,
  listFilterSchema,
  SCORE_NAMES,
  SIGNAL_NAMES,
  type ListFilter,
} from './filter';

const RUNS = 400;

/** A term's value: mostly plausible, sometimes hostile (wrong type, odd text, huge numbers). */
const anyValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(''),
  fc.constantFrom('1', '-1', '0x10', '1e3', ' 7 ', '2026-01-31', '2026-13-45', 'NaN', 'Infinity', "'; DROP TABLE items; --", '%_\\'),
  fc.anything(),
);
/** Mostly a plausible value, sometimes a hostile one: most filters parse, many do not. */
const term = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 8 }, { arbitrary: anyValue, weight: 1 });
const number = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer().map(String));
const filterInput = fc.record(
  {
    datasetId: term(fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constantFrom('1', '2'))),
    family: term(fc.constantFrom('omniedit', 'hqedit', 'x y', "o'brien")),
    task: term(fc.constantFrom('style', 'edit')),
    instructionType: term(fc.constantFrom('original', 'rewrite', 'complex')),
    signal: term(fc.constantFrom(...SIGNAL_NAMES)),
    sort: term(fc.constantFrom('asc', 'desc')),
    status: term(fc.constantFrom(...ITEM_STATUSES)),
    reviewer: term(fc.string({ minLength: 1 })),
    from: term(
      fc.oneof(
        fc.integer({ min: 0 }),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      ),
    ),
    to: term(
      fc.oneof(
        fc.integer({ min: 0 }),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      ),
    ),
    text: term(fc.string({ unit: 'binary', minLength: 1 })),
    origin: term(fc.constantFrom(...CANDIDATE_ORIGINS)),
    score: term(fc.constantFrom(...SCORE_NAMES)),
    scoreMin: term(number),
    scoreMax: term(number),
    signalMin: term(number),
    signalMax: term(number),
  },
  { requiredKeys: [] },
);
const SCHEMAS = { listFilterSchema, extraFilterSchema, itemFilterSchema };

let db: Db;
beforeAll(() => {
  db = tempDb().db;
});
afterAll(cleanupTemp);

describe('filter model: properties', () => {
  it.each(Object.keys(SCHEMAS) as (keyof typeof SCHEMAS)[])(
    '%s: any input parses or fails with a validation error, never anything else',
    (name) => {
      const schema = SCHEMAS[name];
      fc.assert(
        fc.property(fc.oneof(filterInput, fc.anything()), (input) => {
          let result: ReturnType<typeof schema.safeParse>;
          expect(() => (result = schema.safeParse(input))).not.toThrow();
          if (!result!.success) {
            expect(result!.error).toBeInstanceOf(ZodError);
            expect(() => schema.parse(input)).toThrow(ZodError);
          }
        }),
        { numRuns: RUNS },
      );
    },
  );

  it.each(Object.keys(SCHEMAS) as (keyof typeof SCHEMAS)[])('%s: a parsed filter stored as JSON parses back to itself', (name) => {
    const schema = SCHEMAS[name];
    let parsedCount = 0;
    fc.assert(
      fc.property(filterInput, (input) => {
        const parsed = schema.safeParse(input);
        if (!parsed.success) return;
        parsedCount++;
        const stored = JSON.stringify(parsed.data);
        const again = schema.safeParse(JSON.parse(stored));
        // Compared as stored: JSON has no -0, and a filter with 0 means the same.
        expect(again.success && JSON.stringify(again.data)).toBe(stored);
      }),
      { numRuns: RUNS },
    );
    expect(parsedCount).toBeGreaterThan(RUNS / 20);
  });

  it('the SQL of any parsed filter runs on a real database with exactly its parameters', () => {
    let parsedCount = 0;
    fc.assert(
      fc.property(filterInput, fc.boolean(), (input, qualified) => {
        const parsed = listFilterSchema.safeParse(input);
        if (!parsed.success) return;
        parsedCount++;
        const filter: ListFilter = parsed.data;
        const { where, params } = filterSql(filter, undefined, qualified);
        expect(where.split('?').length - 1).toBe(params.length);
        expect(() =>
          db.$client
            .prepare(`SELECT count(*) FROM items WHERE ${where}`)
            .pluck()
            .get(...params),
        ).not.toThrow();
      }),
      { numRuns: RUNS },
    );
    expect(parsedCount).toBeGreaterThan(RUNS / 20); // the generator reaches valid filters, not only errors
  });
});
