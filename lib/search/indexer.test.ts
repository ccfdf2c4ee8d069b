/**
 * The server's background indexer (started by instrumentation.ts): it builds the index at start
 * and again after a later import (by another process or this one), without being asked.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { searchStatus } from './build';
import { startSearchIndexer } from './indexer';

afterAll(cleanupTemp);

async function until(done: () => boolean, ms: number) {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`not done in ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the background indexer', () => {
  it('indexes the items there at start, then those of a later import', async () => {
    const { db } = tempDb();
    const first = (await importGptEdit(db, SAMPLES_DIR)).datasetId;
    expect(searchStatus(db, first).ready).toBe(false);
    startSearchIndexer(db);
    await until(() => searchStatus(db, first).ready, 10_000);
    const second = (await importGptEdit(db, SAMPLES_DIR, { dataset: 'later' })).datasetId;
    expect(searchStatus(db, second)).toEqual({ ready: false, indexed: 0, total: 12 });
    await until(() => searchStatus(db, second).ready, 15_000);
    expect(searchStatus(db)).toEqual({ ready: true, indexed: 24, total: 24 });
  }, 30_000);
});
