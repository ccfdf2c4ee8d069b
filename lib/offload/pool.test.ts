/**
 * The offload worker (./pool.ts) on a real database file: it answers what the task answers on
 * the calling thread, and the calling thread's event loop keeps turning while it computes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { setReviewSettings } from '@/lib/review/gold';
import { recordVerdict } from '@/lib/review/verdicts';
import { dashboardSummary } from '@/lib/dashboard/queries';
import { teamStats } from '@/lib/team/stats';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { offThread } from './pool';

let db: Db;
let datasetId: number;

/** Enough bootstrap resamples over the 12 samples that computing them takes a good fraction of a second. */
const HEAVY = { datasetId: 0, bootstrap: { iterations: 60_000, seed: 3 } };

beforeAll(async () => {
  db = tempDb().db;
  datasetId = (await importGptEdit(db, SAMPLES_DIR)).datasetId;
  HEAVY.datasetId = datasetId;
  setReviewSettings(db, datasetId, { overlap: 2 });
  const ids = db.$client.prepare('SELECT id FROM items WHERE dataset_id = ? ORDER BY id').pluck().all(datasetId) as number[];
  const t0 = Date.UTC(2026, 0, 5, 9);
  ids.forEach((itemId, i) => {
    for (const [n, reviewer] of ['ana', 'ben', 'cy'].entries()) {
      if ((i + n) % 3 === 2) continue; // two verdicts an item, from changing pairs
      const decision = (i * 7 + n) % 4 === 0 ? 'reject' : 'accept';
      recordVerdict(db, { holder: `${reviewer}:tab`, reviewer }, { itemId, decision }, t0 + (i * 3 + n) * 60_000);
    }
  });
});
afterAll(cleanupTemp);

/** Runs `work` while a 5 ms timer ticks on this thread; the longest gap between ticks (ms). */
async function longestStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number; ms: number }> {
  let last = performance.now();
  let stallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 5);
  const start = performance.now();
  try {
    const result = await work();
    return { result, stallMs: Math.max(stallMs, performance.now() - last), ms: performance.now() - start };
  } finally {
    clearInterval(timer);
  }
}

describe('offThread', () => {
  it('answers the team statistics the task gives on this thread, without stalling this thread', async () => {
    await offThread(db, 'teamStats', { datasetId, bootstrap: { iterations: 10, seed: 1 } }); // the worker started and loaded
    const there = await longestStall(() => offThread(db, 'teamStats', HEAVY));
    const here = await longestStall(async () => teamStats(db, HEAVY));
    // The work is heavy enough to matter: on this thread it stalls the timer for its whole length.
    expect(here.stallMs).toBeGreaterThan(250);
    expect(there.stallMs).toBeLessThan(100);
    // The same figures (asOf is when each was read).
    expect({ ...there.result!, asOf: 0 }).toEqual({ ...here.result!, asOf: 0 });
  });

  it('answers the dashboard summary, and null for a dataset that does not exist', async () => {
    const now = Date.UTC(2026, 0, 6);
    expect(await offThread(db, 'dashboardSummary', datasetId, now)).toEqual(dashboardSummary(db, datasetId, now));
    expect(await offThread(db, 'dashboardSummary', null, now)).toEqual(dashboardSummary(db, undefined, now));
    expect(await offThread(db, 'teamStats', { datasetId: 999_999 })).toBeNull();
  });
});
