import type { Dispatch, RefObject, SetStateAction } from 'react';
import type { QueueFilter } from '@/lib/filter/filter';
import type { ReviewItem } from '@/lib/review/items';
import type { RejectReason } from '@/lib/review/reasons';
import { placeReturned, type Returned } from '@/lib/review/returned';
import type { JobKind, JobState, QueueState } from './api';

/**
 * The review queue's pure parts (components/review/useReviewQueue.ts): which items the page shows,
 * in which order, from the last claim and what the page did since; when the leases end; what a
 * notice about an ended job says.
 */

export type ClaimState = QueueState & { startedAt: number };

export interface VerdictChoice {
  decision: 'accept' | 'reject' | 'skip';
  instructionVersionId?: number;
  candidateId?: number;
  reasons?: RejectReason[];
  msSpent?: number;
}

export interface QueueNotice {
  text: string;
  /** Show a link to the jobs page (the notice is about a queued job). */
  jobs?: boolean;
}

/** A regeneration or rewrite this page asked for, whose item comes back to it when the job ends. */
export interface AskedJob {
  itemId: number;
  externalId: string;
  kind: JobKind;
  /** The kind's label (components/jobs/JobKinds.tsx), for the notice when it ends. */
  label: string;
}

/** What the page did since its last claim landed, which that claim may not reflect yet. */
export interface LocalQueue {
  /** Ids decided on this page whose claim refresh may not have landed yet. */
  done: ReadonlySet<number>;
  /**
   * Items sent to a job, with when the job was queued (Infinity while the request is on its
   * way): hidden from claims that started before, which may still list them.
   */
  away: ReadonlyMap<number, number>;
  /** An item brought back by undo (or a refused verdict), shown first until it is decided again. */
  front: ReviewItem | undefined;
  /**
   * Items whose job ended, back on this page: each next in line after the item that was on
   * screen when it came back (never replacing it, so no key meant for that item lands on it).
   */
  returned: readonly Returned[];
}

/** The items the page shows, the first on screen: the claim's, less what was decided or sent away, with `front` first. */
export function visibleItems(claim: ClaimState | undefined, local: LocalQueue): ReviewItem[] {
  const { done, away, front, returned } = local;
  const startedAt = claim?.startedAt ?? 0;
  const hidden = (id: number) => done.has(id) || (away.get(id) ?? -1) > startedAt;
  const claimed = (claim?.items ?? []).filter((item) => !hidden(item.id) && item.id !== front?.id);
  return placeReturned(front && !hidden(front.id) ? [front, ...claimed] : claimed, returned);
}

/** When a claim's leases end: every claim leases all the page's items anew, so they share one expiry. */
export function claimExpiry(items: ReviewItem[]): number | undefined {
  const times = items.map((item) => item.leaseExpiresAt).filter((t): t is number => t !== null);
  return times.length ? Math.min(...times) : undefined;
}

/** What the page says when a job it asked for ended, and whether its item came back. */
export function jobEndedNotice(ask: AskedJob, job: JobState | undefined, back: boolean): QueueNotice {
  const what = `${ask.label} of ${ask.externalId}`;
  // No kind declares what its job makes: the rewrite is the one kind holding an item that makes an instruction, not an image.
  const made = ask.kind === 'rewrite' ? 'instruction' : 'edited image';
  const text =
    job?.status === 'succeeded'
      ? back
        ? `${what} done: it is back with its new ${made}, next in line.`
        : `${what} done; the item is no longer in your queue (another reviewer has it, or it is decided).`
      : `${what} ${job?.status ?? 'ended'}${job?.error ? `: ${job.error}` : ''}.${back ? ' The item is back as it was, next in line.' : ''}`;
  return { text, jobs: job?.status !== 'succeeded' };
}

/** A copy of a set without one member. */
export function without<T>(set: ReadonlySet<T>, member: T): Set<T> {
  const next = new Set(set);
  next.delete(member);
  return next;
}

/** A copy of a map without one key. */
export function withoutKey<K, V>(map: ReadonlyMap<K, V>, key: K): Map<K, V> {
  const next = new Map(map);
  next.delete(key);
  return next;
}

/** What the review queue's parts share (useReviewQueue makes it; useLeases and useQueueJobs use it). */
export interface QueueContext {
  filter: QueueFilter;
  holder: string | undefined;
  queryKey: readonly unknown[];
  /** Items the page asks for at once. */
  count: number;
  /** Runs a server call after the ones before it (see useReviewQueue); `refresh` re-claims after. */
  enqueue: (call: () => Promise<void>, refresh?: boolean) => void;
  setFront: Dispatch<SetStateAction<ReviewItem | undefined>>;
  setReturned: Dispatch<SetStateAction<readonly Returned[]>>;
  setNotice: Dispatch<SetStateAction<QueueNotice | undefined>>;
  /** The item on screen now, and the ids the page holds (set before paint). */
  shown: RefObject<ReviewItem | undefined>;
  held: RefObject<number[]>;
  /**
   * Items this page held when its leases lapsed and did not get back: a verdict on one of
   * them that the server refuses gets a calm notice instead of an error.
   */
  lapsed: RefObject<Set<number>>;
}
