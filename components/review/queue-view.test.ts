import { describe, expect, it } from 'vitest';
import type { ReviewItem } from '@/lib/review/items';
import { claimExpiry, jobEndedNotice, visibleItems, type ClaimState, type LocalQueue } from './queue-view';

const item = (id: number, leaseExpiresAt: number | null = 1_000) => ({ id, leaseExpiresAt }) as ReviewItem;
const claim = (ids: number[], startedAt = 100): ClaimState => ({
  items: ids.map((id) => item(id)),
  progress: { total: 9, reviewed: 0 } as never,
  startedAt,
});
const local = (change: Partial<LocalQueue> = {}): LocalQueue => ({
  done: new Set(),
  away: new Map(),
  front: undefined,
  returned: [],
  ...change,
});
const ids = (items: ReviewItem[]) => items.map((i) => i.id);

describe('visibleItems', () => {
  it('shows the claim in its order, less the items decided on the page', () => {
    expect(ids(visibleItems(claim([1, 2, 3]), local()))).toEqual([1, 2, 3]);
    expect(ids(visibleItems(claim([1, 2, 3]), local({ done: new Set([1]) })))).toEqual([2, 3]);
    expect(visibleItems(undefined, local())).toEqual([]);
  });

  it('hides an item sent to a job from claims that started before the job was queued, not after', () => {
    expect(ids(visibleItems(claim([1, 2], 100), local({ away: new Map([[1, 150]]) })))).toEqual([2]);
    expect(ids(visibleItems(claim([1, 2], 100), local({ away: new Map([[1, Infinity]]) })))).toEqual([2]);
    expect(ids(visibleItems(claim([1, 2], 200), local({ away: new Map([[1, 150]]) })))).toEqual([1, 2]);
  });

  it('puts an item brought back first, once, unless it was decided again', () => {
    expect(ids(visibleItems(claim([1, 2]), local({ front: item(2) })))).toEqual([2, 1]);
    expect(ids(visibleItems(claim([1, 2]), local({ front: item(7) })))).toEqual([7, 1, 2]);
    expect(ids(visibleItems(claim([1, 2]), local({ front: item(7), done: new Set([7]) })))).toEqual([1, 2]);
  });

  it('places an item whose job ended after the item that was on screen', () => {
    expect(ids(visibleItems(claim([5, 1, 2]), local({ returned: [{ itemId: 5, after: 1 }] })))).toEqual([1, 5, 2]);
  });
});

describe('claimExpiry', () => {
  it('is the earliest lease of the claim, or none', () => {
    expect(claimExpiry([item(1, 3_000), item(2, 2_000), item(3, null)])).toBe(2_000);
    expect(claimExpiry([item(1, null)])).toBeUndefined();
  });
});

describe('jobEndedNotice', () => {
  const ask = { itemId: 1, externalId: 'ext-1', kind: 'rewrite' as const, label: 'Instruction rewrite' };
  it('says how the job went and whether the item is back', () => {
    expect(jobEndedNotice(ask, { id: 9, itemId: 1, status: 'succeeded', error: null }, true)).toEqual({
      text: 'Instruction rewrite of ext-1 done: it is back with its new instruction, next in line.',
      jobs: false,
    });
    expect(
      jobEndedNotice({ ...ask, kind: 'regenerate', label: 'Regeneration' }, { id: 9, itemId: 1, status: 'failed', error: 'boom' }, true),
    ).toEqual({
      text: 'Regeneration of ext-1 failed: boom. The item is back as it was, next in line.',
      jobs: true,
    });
    expect(jobEndedNotice(ask, undefined, false).text).toBe('Instruction rewrite of ext-1 ended.');
  });
});
