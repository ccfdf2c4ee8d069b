import { describe, expect, it } from 'vitest';
import { activeTimeMs, annotatorStats, MAX_ACTIVE_GAP_MS, type GoldAnswer, type VerdictRow } from './annotators';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const SECOND = 1000;
const HOUR = 3_600_000;

// Alice works in two bursts with a 3-hour break between them, and reviews item 1 twice.
const alice: VerdictRow[] = [
  { reviewer: 'alice', itemId: 4, decision: 'accept', createdAt: T0 + 3 * HOUR, msSpent: 8000 },
  { reviewer: 'alice', itemId: 1, decision: 'accept', createdAt: T0, msSpent: 4000 },
  { reviewer: 'alice', itemId: 2, decision: 'accept', createdAt: T0 + 60 * SECOND, msSpent: null },
  { reviewer: 'alice', itemId: 3, decision: 'reject', createdAt: T0 + 180 * SECOND, msSpent: 2000 },
  { reviewer: 'alice', itemId: 1, decision: 'reject', createdAt: T0 + 3 * HOUR + 120 * SECOND, msSpent: 3000 },
];
const bob: VerdictRow[] = [{ reviewer: 'bob', itemId: 2, decision: 'reject', createdAt: T0 + 1000, msSpent: null }];

const outcomes = new Map([
  [1, 'accept' as const],
  [3, 'accept' as const],
  [9, 'reject' as const], // Nobody here reviewed item 9.
]);

const gold: GoldAnswer[] = [
  { reviewer: 'carol', itemId: 10, decision: 'accept', expected: 'accept' },
  { reviewer: 'alice', itemId: 10, decision: 'accept', expected: 'accept' },
  { reviewer: 'alice', itemId: 11, decision: 'reject', expected: 'accept' },
  { reviewer: 'alice', itemId: 12, decision: 'reject', expected: 'reject' },
];

describe('activeTimeMs', () => {
  it('caps breaks at 10 minutes and charges the first verdict the median gap', () => {
    // Gaps 60 s, 120 s, 10620 s → 600 s, 120 s; median of (60, 120, 120, 600) = 120 s.
    const times = alice.map((v) => v.createdAt);
    expect(MAX_ACTIVE_GAP_MS).toBe(600 * SECOND);
    expect(activeTimeMs(times)).toBe((60 + 120 + 600 + 120 + 120) * SECOND);
  });

  it('is null without a gap to measure', () => {
    expect(activeTimeMs([])).toBeNull();
    expect(activeTimeMs([T0])).toBeNull();
    expect(activeTimeMs([T0, T0])).toBe(0);
  });
});

describe('annotatorStats', () => {
  const stats = annotatorStats([...bob, ...alice], outcomes, gold);

  it('lists every reviewer, by name', () => {
    expect(stats.map((s) => s.reviewer)).toEqual(['alice', 'bob', 'carol']);
  });

  it('computes a hand-worked example', () => {
    expect(stats[0]).toEqual({
      reviewer: 'alice',
      items: 4,
      verdicts: 5,
      // 5 verdicts in 1020 s of active time.
      verdictsPerHour: expect.closeTo((5 * 3600) / 1020, 9),
      // Recorded 4000, 2000, 8000, 3000 → (3000 + 4000) / 2.
      medianMsPerItem: 3500,
      acceptRate: 3 / 5,
      // Item 1 accept (agrees), item 3 reject (disagrees), item 1 reject (disagrees).
      adjudicatedAgreement: { agreed: 1, total: 3, rate: 1 / 3 },
      goldAccuracy: { correct: 2, total: 3, rate: 2 / 3 },
    });
    expect(stats[0].verdictsPerHour).toBeCloseTo(17.647, 3);
  });

  it('leaves undefined rates null', () => {
    expect(stats[1]).toEqual({
      reviewer: 'bob',
      items: 1,
      verdicts: 1,
      verdictsPerHour: null,
      medianMsPerItem: null,
      acceptRate: 0,
      adjudicatedAgreement: { agreed: 0, total: 0, rate: null },
      goldAccuracy: { correct: 0, total: 0, rate: null },
    });
    expect(stats[2]).toMatchObject({ reviewer: 'carol', verdicts: 0, items: 0, acceptRate: null, goldAccuracy: { rate: 1 } });
  });

  it('gives no rate for verdicts that all share one instant', () => {
    const burst: VerdictRow[] = [1, 2].map((itemId) => ({ reviewer: 'dan', itemId, decision: 'accept', createdAt: T0, msSpent: 10 }));
    expect(annotatorStats(burst)[0]).toMatchObject({ verdicts: 2, verdictsPerHour: null, medianMsPerItem: 10, acceptRate: 1 });
  });
});
