import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { accumulate, scopeOf } from './scope';

afterEach(cleanupTemp);

describe('scopeOf', () => {
  it('walks the smaller side of a dataset filter', async () => {
    const { db } = tempDb();
    const big = (await importGptEdit(db, SAMPLES_DIR, { dataset: 'big' })).datasetId; // 12 items
    expect(scopeOf(db, undefined)).toEqual({ mode: 'all' });
    expect(scopeOf(db, big)).toEqual({ mode: 'all' }); // it holds every item
    const small = (await importGptEdit(db, path.join(SAMPLES_DIR, 'ultraedit'), { dataset: 'small' })).datasetId; // 4 items
    expect(scopeOf(db, big)).toEqual({ mode: 'except', datasetIds: [small] });
    expect(scopeOf(db, small)).toEqual({ mode: 'only', datasetIds: [small] });
    expect(scopeOf(db, 999)).toEqual({ mode: 'only', datasetIds: [999] }); // no such dataset: nothing to count
  });
});

describe('accumulate', () => {
  it('adds and takes off keyed counts', () => {
    const into = new Map<string, { k: string; n: number }>();
    accumulate(
      into,
      [
        { k: 'a', n: 5 },
        { k: 'b', n: 2 },
      ],
      (r) => r.k,
      ['n'],
      1,
    );
    accumulate(
      into,
      [
        { k: 'a', n: 3 },
        { k: 'c', n: 1 },
      ],
      (r) => r.k,
      ['n'],
      -1,
    );
    expect([...into.values()]).toEqual([
      { k: 'a', n: 2 },
      { k: 'b', n: 2 },
      { k: 'c', n: -1 },
    ]);
  });
});
