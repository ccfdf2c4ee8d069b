'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { ItemFilter } from '@/lib/review/filter';
import type { ReviewItem } from '@/lib/review/items';
import type { QueueProgress } from '@/lib/review/queue';
import type { RejectReason } from '@/lib/review/reasons';
import * as api from './api';
import { placeReturned, type Returned } from '@/lib/review/returned';
import { useActivity } from './useActivity';

/** Items the page holds at once: the one shown and the next ones, prefetched. */
const LOOKAHEAD = 4;
const EMPTY_QUEUE_POLL_MS = 3_000;
/** The server's lease length (LEASE_MS in lib/review/queue.ts, a server-only module). */
export const LEASE_MS = 2 * 60_000;
const RENEW_EVERY_MS = 30_000;
/** Renewals stop after this long without input, so an unattended page's items go back to the queue. */
const IDLE_AFTER_MS = LEASE_MS;
/** Coming back to a lease with less than this left renews at once rather than at the next tick. */
const RENEW_NOW_BELOW_MS = 60_000;
/** A lease this close to its end counts as lapsed: a renewal might reach the server too late. */
const LAPSE_MARGIN_MS = 1_000;
const AWAY_NOTICE = 'Your hold on this item expired while you were away; here is the next one.';
/** How often the page asks after the jobs it queued, so their items come back when they end. */
const JOB_POLL_MS = 1_500;

/** A regeneration or rewrite this page asked for, whose item comes back to it when the job ends. */
interface AskedJob {
  itemId: number;
  externalId: string;
  kind: api.JobKind;
}

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

type ClaimState = api.QueueState & { startedAt: number };

/** When a claim's leases end: every claim leases all the page's items anew, so they share one expiry. */
function claimExpiry(items: ReviewItem[]): number | undefined {
  const times = items.map((item) => item.leaseExpiresAt).filter((t): t is number => t !== null);
  return times.length ? Math.min(...times) : undefined;
}

/**
 * The review page's queue. Verdicts are applied locally at once (the next item, already
 * prefetched with its images, shows without waiting) and sent in order in the background;
 * the queue is re-claimed after each so the lookahead stays full.
 *
 * Leases are renewed only while the reviewer is at the page (input within IDLE_AFTER_MS):
 * an unattended page lets them lapse so others can review its items. The first input after
 * a lapse claims again (the server gives back the page's items if nobody took them).
 */
export function useReviewQueue(filter: ItemFilter, holder: string | undefined) {
  const queryClient = useQueryClient();
  const queryKey = useMemo(() => ['queue', filter, holder], [filter, holder]);
  const ready = holder !== undefined;

  const query = useQuery({
    queryKey,
    queryFn: async (): Promise<ClaimState> => {
      const startedAt = Date.now();
      return { ...(await api.claim({ filter, holder: holder!, count: LOOKAHEAD })), startedAt };
    },
    enabled: ready,
    staleTime: Infinity,
    // An empty queue looks again now and then: items come back when their jobs end.
    refetchInterval: (q) => ((q.state.data?.items.length ?? 1) === 0 ? EMPTY_QUEUE_POLL_MS : false),
  });

  // Ids decided on this page whose claim refresh may not have landed yet.
  const [done, setDone] = useState<ReadonlySet<number>>(new Set());
  // Items sent to a job, with when the job was queued (Infinity while the request is on its
  // way): hidden from claims that started before, which may still list them.
  const [away, setAway] = useState<ReadonlyMap<number, number>>(new Map());
  // An item brought back by undo is shown first until it is decided again.
  const [front, setFront] = useState<ReviewItem>();
  // Items whose job ended, back on this page: each next in line after the item that was on
  // screen when it came back (never replacing it, so no key meant for that item lands on it).
  const [returned, setReturned] = useState<readonly Returned[]>([]);
  const [progress, setProgress] = useState<QueueProgress>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<QueueNotice>();
  // Jobs this page queued, by job id, until they end.
  const [asked, setAsked] = useState<ReadonlyMap<number, AskedJob>>(new Map());
  const chain = useRef<Promise<unknown>>(Promise.resolve());

  // When the page's leases end (ms epoch, server clock); undefined while it holds nothing.
  const [leaseUntil, setLeaseUntilState] = useState<number>();
  const leaseUntilRef = useRef<number>(undefined);
  const setLeaseUntil = useCallback((until: number | undefined) => {
    leaseUntilRef.current = until;
    setLeaseUntilState(until);
  }, []);
  // Items this page held when its leases lapsed and did not get back: a verdict on one of
  // them that the server refuses gets a calm notice instead of an error.
  const lapsed = useRef(new Set<number>());

  useEffect(() => {
    setDone(new Set());
    setAway(new Map());
    setFront(undefined);
    setReturned([]);
    setProgress(undefined);
    setAsked(new Map());
    lapsed.current.clear();
  }, [queryKey]);

  useEffect(() => {
    setLeaseUntil(query.data && claimExpiry(query.data.items));
    for (const item of query.data?.items ?? []) lapsed.current.delete(item.id);
  }, [query.data, setLeaseUntil]);

  const items = useMemo(() => {
    const startedAt = query.data?.startedAt ?? 0;
    const hidden = (id: number) => done.has(id) || (away.get(id) ?? -1) > startedAt;
    const claimed = (query.data?.items ?? []).filter((item) => !hidden(item.id) && item.id !== front?.id);
    return placeReturned(front && !hidden(front.id) ? [front, ...claimed] : claimed, returned);
  }, [query.data, done, away, front, returned]);

  // What the page shows and holds, for the re-claim after a lapse (which runs later).
  const shown = useRef<ReviewItem>(undefined);
  const held = useRef<number[]>([]);
  // Before paint: a job's item coming back is placed after what is on screen now.
  useLayoutEffect(() => {
    shown.current = items[0];
    held.current = items.map((item) => item.id);
  }, [items]);

  // Prefetch the images of the items after the current one.
  useEffect(() => {
    for (const item of items.slice(1)) {
      for (const url of [api.previewUrl('source', item.id), api.previewUrl('candidate', item.currentCandidateId)]) {
        const image = new Image();
        image.src = url;
      }
    }
  }, [items]);

  /** Runs server calls one after another, then (unless told not to) refreshes the claim. */
  const enqueue = useCallback(
    (call: () => Promise<void>, refresh = true) => {
      chain.current = chain.current
        .then(call)
        .catch((e: Error) => setError(e.message))
        .finally(() => refresh && queryClient.invalidateQueries({ queryKey }));
    },
    [queryClient, queryKey],
  );

  const leaseLeft = () => (leaseUntilRef.current === undefined ? undefined : leaseUntilRef.current - api.serverNow());

  const renewing = useRef(false);
  const renewLeases = useCallback(() => {
    const left = leaseLeft();
    // Nothing held, or nothing live to extend (the next input claims again instead).
    if (!holder || renewing.current || left === undefined || left <= LAPSE_MARGIN_MS) return;
    renewing.current = true;
    const sentAt = api.serverNow();
    api
      .renew(holder)
      .then(({ expiresAt }) => {
        // The renewal extended only leases still live when it was sent; a claim that landed
        // meanwhile may have set a later expiry.
        const until = leaseUntilRef.current;
        if (until !== undefined && sentAt < until) setLeaseUntil(Math.max(until, expiresAt));
      })
      // A missed renewal is tried again at the next tick (a 401 has already gone to sign-in).
      .catch(() => undefined)
      .finally(() => (renewing.current = false));
  }, [holder, setLeaseUntil]);

  const reclaiming = useRef(false);
  /** After a lapse: claim again, and say so calmly if the item on screen went elsewhere. */
  const reclaim = useCallback(() => {
    if (holder === undefined || reclaiming.current) return;
    reclaiming.current = true;
    const shownThen = shown.current;
    const heldThen = held.current;
    enqueue(async () => {
      try {
        // A claim already on its way would land after this one with an older view.
        await queryClient.cancelQueries({ queryKey });
        const startedAt = Date.now();
        const state = await api.claim({ filter, holder, count: LOOKAHEAD });
        const kept = new Set(state.items.map((item) => item.id));
        for (const id of heldThen) if (!kept.has(id)) lapsed.current.add(id);
        if (shownThen && shown.current?.id === shownThen.id) {
          // Still on screen (not decided meanwhile). Got back: keep it first, even if lapsed
          // items earlier in queue order came with it. Lost: move on, and say why.
          const back = state.items.find((item) => item.id === shownThen.id);
          if (back) setFront(back);
          else {
            setFront((item) => (item?.id === shownThen.id ? undefined : item));
            setNotice({ text: AWAY_NOTICE });
          }
        }
        queryClient.setQueryData<ClaimState>(queryKey, { ...state, startedAt });
      } finally {
        reclaiming.current = false;
      }
    }, false);
  }, [enqueue, filter, holder, queryClient, queryKey]);

  // Input keeps the leases alive: renew at once after a quiet spell, claim again after a
  // lapse. It runs before the page's key handler, so a verdict typed on coming back is
  // queued after the re-claim.
  const lastActivity = useRef(0);
  useEffect(() => {
    lastActivity.current = Date.now();
  }, []);
  useActivity(() => {
    lastActivity.current = Date.now();
    const left = leaseLeft();
    if (left === undefined) return;
    if (left <= LAPSE_MARGIN_MS) reclaim();
    else if (left < RENEW_NOW_BELOW_MS) renewLeases();
  });

  // Renew while the reviewer is active; give the leases back when the page closes.
  useEffect(() => {
    if (!holder) return;
    const timer = setInterval(() => {
      if (Date.now() - lastActivity.current < IDLE_AFTER_MS) renewLeases();
    }, RENEW_EVERY_MS);
    const release = () => api.releaseOnUnload(holder);
    // Back from the back/forward cache: the leases were released on the way out.
    const restored = (e: PageTransitionEvent) => e.persisted && setLeaseUntil(0);
    window.addEventListener('pagehide', release);
    window.addEventListener('pageshow', restored);
    return () => {
      clearInterval(timer);
      window.removeEventListener('pagehide', release);
      window.removeEventListener('pageshow', restored);
    };
  }, [holder, renewLeases, setLeaseUntil]);

  const decide = useCallback(
    (item: ReviewItem, choice: VerdictChoice) => {
      if (holder === undefined) return;
      setError(undefined);
      setDone((prev) => new Set(prev).add(item.id));
      setReturned((prev) => prev.filter((r) => r.itemId !== item.id));
      enqueue(async () => {
        try {
          const result = await api.sendVerdict({ holder, filter, itemId: item.id, ...choice });
          setProgress(result.progress);
        } catch (error) {
          if (error instanceof api.ApiError && error.status === 409 && lapsed.current.has(item.id)) {
            setNotice({
              text: `Your hold on ${item.externalId} expired while you were away and another reviewer has it now; your verdict on it was not recorded.`,
            });
            return;
          }
          if (error instanceof api.ApiError && error.status === 400) {
            // The server refused this verdict (say, a version that is not the item's): the
            // item is still this page's, so it comes back to be decided again.
            setDone((prev) => {
              const next = new Set(prev);
              next.delete(item.id);
              return next;
            });
            setFront(item);
            throw new Error(`Your ${choice.decision} of ${item.externalId} was not recorded (${error.message}); it is shown again.`);
          }
          throw error;
        }
      });
    },
    [enqueue, filter, holder],
  );

  /**
   * Queues a regeneration or rewrite of the item and moves on: the item leaves this page
   * and comes back to the queue when the job ends. If the request is refused, it stays.
   */
  const requestJob = useCallback(
    (item: ReviewItem, kind: api.JobKind) => {
      if (holder === undefined) return;
      setError(undefined);
      const awayFrom = (time: number | undefined) =>
        setAway((prev) => {
          const next = new Map(prev);
          if (time === undefined) next.delete(item.id);
          else next.set(item.id, time);
          return next;
        });
      awayFrom(Infinity);
      enqueue(async () => {
        try {
          const { jobId, estimatedUsd } = await api.requestJob(item.id, { kind, holder });
          awayFrom(Date.now());
          // An item brought back by undo must not stay on screen as it was before the job.
          setFront((front) => (front?.id === item.id ? undefined : front));
          setAsked((prev) => new Map(prev).set(jobId, { itemId: item.id, externalId: item.externalId, kind }));
          setNotice({
            text: `${api.JOB_LABEL[kind]} of ${item.externalId} queued (about $${estimatedUsd.toFixed(2)}); it comes back when done.`,
            jobs: true,
          });
        } catch (error) {
          awayFrom(undefined);
          throw error;
        }
      });
    },
    [enqueue, holder],
  );

  // Asks after the page's jobs until they end (React Query polls while any is open).
  const askedIds = useMemo(() => [...asked.keys()].sort((a, b) => a - b), [asked]);
  const jobs = useQuery({
    queryKey: ['asked-jobs', askedIds],
    queryFn: () => api.jobStates(askedIds),
    enabled: ready && askedIds.length > 0,
    refetchInterval: JOB_POLL_MS,
  });

  /** A job of this page ended: its item comes back first (with its new version), and the notice says how it went. */
  const bringBack = useCallback(
    (ask: AskedJob, job: api.JobState | undefined) => {
      if (holder === undefined) return;
      enqueue(async () => {
        await queryClient.cancelQueries({ queryKey });
        const startedAt = Date.now();
        const state = await api.claim({ filter, holder, count: LOOKAHEAD, prefer: [ask.itemId] });
        queryClient.setQueryData<ClaimState>(queryKey, { ...state, startedAt });
        setAway((prev) => {
          const next = new Map(prev);
          next.delete(ask.itemId);
          return next;
        });
        const back = state.items.find((item) => item.id === ask.itemId);
        // Next in line, never in place of the item on screen (a key on its way is meant for that one).
        const onScreen = shown.current?.id;
        if (back) setReturned((prev) => [...prev.filter((r) => r.itemId !== back.id), { itemId: back.id, after: onScreen === back.id ? undefined : onScreen }]);
        const what = `${api.JOB_LABEL[ask.kind]} of ${ask.externalId}`;
        const made = ask.kind === 'rewrite' ? 'instruction' : 'edited image';
        const text =
          job?.status === 'succeeded'
            ? back
              ? `${what} done: it is back with its new ${made}, next in line.`
              : `${what} done; the item is no longer in your queue (another reviewer has it, or it is decided).`
            : `${what} ${job?.status ?? 'ended'}${job?.error ? `: ${job.error}` : ''}.${back ? ' The item is back as it was, next in line.' : ''}`;
        setNotice({ text, jobs: job?.status !== 'succeeded' });
      }, false);
    },
    [enqueue, filter, holder, queryClient, queryKey],
  );

  useEffect(() => {
    const ended = (jobs.data ?? []).filter(({ id, job }) => asked.has(id) && (!job || api.jobEnded(job.status)));
    if (ended.length === 0) return;
    setAsked((prev) => {
      const next = new Map(prev);
      for (const { id } of ended) next.delete(id);
      return next;
    });
    for (const { id, job } of ended) bringBack(asked.get(id)!, job);
  }, [jobs.data, asked, bringBack]);

  const undoLast = useCallback(() => {
    if (holder === undefined) return;
    setError(undefined);
    enqueue(async () => {
      const result = await api.undo({ holder, filter });
      setDone((prev) => {
        const next = new Set(prev);
        next.delete(result.itemId);
        return next;
      });
      lapsed.current.delete(result.itemId);
      setReturned((prev) => prev.filter((r) => r.itemId !== result.itemId));
      setFront(result.item);
      setProgress(result.progress);
    });
  }, [enqueue, filter, holder]);

  /** Applies a change to an item wherever this page holds it (e.g. a new instruction version). */
  const updateItem = useCallback(
    (itemId: number, change: (item: ReviewItem) => ReviewItem) => {
      queryClient.setQueryData<ClaimState>(queryKey, (state) =>
        state && { ...state, items: state.items.map((item) => (item.id === itemId ? change(item) : item)) },
      );
      setFront((item) => (item?.id === itemId ? change(item) : item));
    },
    [queryClient, queryKey],
  );

  return {
    current: items[0],
    upcoming: items.slice(1),
    loading: !ready || query.isPending || (items.length === 0 && query.isFetching),
    progress: progress ?? query.data?.progress,
    /** When the current item's hold ends (ms epoch, server clock; see api.serverNow). */
    leaseUntil: items.length ? leaseUntil : undefined,
    error: error ?? (query.error ? query.error.message : undefined),
    notice,
    clearError: () => {
      setError(undefined);
      setNotice(undefined);
    },
    decide,
    requestJob,
    undoLast,
    updateItem,
  };
}
