/**
 * The offload worker (./pool.ts) on a real database file: it answers what the task answers on
 * the calling thread, and the calling thread's event loop keeps turning while it computes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { setReviewSettings } from '@/lib/review/gold';
import { recordVerdict } from '@/lib/review/verdicts';
import { DASHBOARD_SUMMARY } from '@/lib/dashboard/offload';
import { dashboardSummary } from '@/lib/dashboard/queries';
import { teamFigures, teamStatsOffThread } from '@/lib/team/stats';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { searchStatus } from '@/lib/search/build';
import { BUILD_SEARCH_INDEX } from '@/lib/search/offload';
import { offThread } from './pool';

let db: Db;
let datasetId: number;

/** Enough bootstrap resamples over the 12 samples that computing them takes a good fraction of a second. */
const HEAVY = { iterations: 600_000, seed: 3 };
const TEAM_FIGURES = { module: 'lib/team/stats.ts', name: 'teamFigures', run: teamFigures };

beforeAll(async () => {
  db = tempDb().db;
  datasetId = (await importGptEdit(db, SAMPLES_DIR)).datasetId;
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
  it('runs an async task (the search index build) to its end on the worker', async () => {
    expect(searchStatus(db, datasetId).ready).toBe(false);
    const { indexed } = await offThread(db, BUILD_SEARCH_INDEX);
    expect(indexed).toBe(12);
    expect(searchStatus(db, datasetId)).toEqual({ ready: true, indexed: 12, total: 12 });
  });

  it('answers the team figures the task gives on this thread, without stalling this thread', async () => {
    await offThread(db, TEAM_FIGURES, datasetId, null, { iterations: 10, seed: 1 }); // the worker started and loaded
    const there = await longestStall(() => offThread(db, TEAM_FIGURES, datasetId, null, HEAVY));
    const here = await longestStall(async () => teamFigures(db, datasetId, null, HEAVY));
    // The work is heavy enough to matter: on this thread it stalls the timer for its whole length;
    // off it, only a busy machine's scheduling does (a fraction of that, however loaded the box).
    expect(here.stallMs).toBeGreaterThan(500);
    expect(there.stallMs).toBeLessThan(here.stallMs / 4);
    // The same figures (asOf is when each was read).
    const figures = (entry: typeof here.result) => ({ ...entry!, computed: { ...entry!.computed, asOf: 0 } });
    expect(figures(there.result)).toEqual(figures(here.result));
  });

  it('answers the dashboard summary and the team statistics as on this thread, and nothing for a missing dataset', async () => {
    const now = Date.UTC(2026, 0, 6);
    expect(await offThread(db, DASHBOARD_SUMMARY, datasetId, now)).toEqual(dashboardSummary(db, datasetId, now));
    expect(await offThread(db, DASHBOARD_SUMMARY, null, now)).toEqual(dashboardSummary(db, undefined, now));
    expect(await offThread(db, TEAM_FIGURES, 999_999, null, {})).toBeNull();
    expect(await teamStatsOffThread(db, { datasetId: 999_999 })).toBeUndefined();
    const stats = await teamStatsOffThread(db, { datasetId, bootstrap: { seed: 5 } });
    expect(stats!.annotators.map((a) => a.reviewer)).toEqual(['ana', 'ben', 'cy']);
  });
});
