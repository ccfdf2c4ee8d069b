'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { QueueFilter } from '@/lib/filter/filter';
import type { ReviewItem } from '@/lib/review/items';
import type { QueueProgress } from '@/lib/review/queue';
import type { Returned } from '@/lib/review/returned';
import * as api from './api';
import { visibleItems, without, type ClaimState, type QueueNotice, type VerdictChoice } from './queue-view';
import { useLeases } from './useLeases';
import { useQueueJobs } from './useQueueJobs';

/** Items the page holds at once: the one shown and the next ones, prefetched. */
const LOOKAHEAD = 4;
const EMPTY_QUEUE_POLL_MS = 3_000;

/**
 * The review page's queue. Verdicts are applied locally at once (the next item, already
 * prefetched with its images, shows without waiting) and sent in order in the background;
 * the queue is re-claimed after each so the lookahead stays full. The hold on the items is
 * useLeases', the regenerations and rewrites useQueueJobs'; which items show is visibleItems'.
 */
export function useReviewQueue(filter: QueueFilter, holder: string | undefined) {
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
    // The claim is the page's alone: the page gives its items back when it goes, so a later
    // visit must claim again rather than show this one from the cache.
    gcTime: 0,
    // An empty queue looks again now and then: items come back when their jobs end.
    refetchInterval: (q) => ((q.state.data?.items.length ?? 1) === 0 ? EMPTY_QUEUE_POLL_MS : false),
  });

  const [done, setDone] = useState<ReadonlySet<number>>(new Set());
  const [front, setFront] = useState<ReviewItem>();
  const [returned, setReturned] = useState<readonly Returned[]>([]);
  const [progress, setProgress] = useState<QueueProgress>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<QueueNotice>();
  const chain = useRef<Promise<unknown>>(Promise.resolve());
  // Items whose leases lapsed and did not come back (see QueueContext).
  const lapsed = useRef(new Set<number>());
  // What the page shows and holds, for the re-claim after a lapse (which runs later).
  const shown = useRef<ReviewItem>(undefined);
  const held = useRef<number[]>([]);

  useEffect(() => {
    setDone(new Set());
    setFront(undefined);
    setReturned([]);
    setProgress(undefined);
    lapsed.current.clear();
  }, [queryKey]);

  useEffect(() => {
    for (const item of query.data?.items ?? []) lapsed.current.delete(item.id);
  }, [query.data]);

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
  const pending = useCallback(() => chain.current, []);

  const context = { filter, holder, queryKey, count: LOOKAHEAD, enqueue, setFront, setReturned, setNotice, shown, held, lapsed };
  const jobs = useQueueJobs(context);
  const items = useMemo(
    () => visibleItems(query.data, { done, away: jobs.away, front, returned }),
    [query.data, done, jobs.away, front, returned],
  );

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

  const leaseUntil = useLeases(context, query.data, pending);

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
            setDone((prev) => without(prev, item.id));
            setFront(item);
            throw new Error(`Your ${choice.decision} of ${item.externalId} was not recorded (${error.message}); it is shown again.`);
          }
          throw error;
        }
      });
    },
    [enqueue, filter, holder],
  );

  const undoLast = useCallback(() => {
    if (holder === undefined) return;
    setError(undefined);
    enqueue(async () => {
      const result = await api.undo({ holder, filter });
      setDone((prev) => without(prev, result.itemId));
      lapsed.current.delete(result.itemId);
      setReturned((prev) => prev.filter((r) => r.itemId !== result.itemId));
      setFront(result.item);
      setProgress(result.progress);
    });
  }, [enqueue, filter, holder]);

  /** Applies a change to an item wherever this page holds it (e.g. a new instruction version). */
  const updateItem = useCallback(
    (itemId: number, change: (item: ReviewItem) => ReviewItem) => {
      queryClient.setQueryData<ClaimState>(
        queryKey,
        (state) => state && { ...state, items: state.items.map((item) => (item.id === itemId ? change(item) : item)) },
      );
      setFront((item) => (item?.id === itemId ? change(item) : item));
    },
    [queryClient, queryKey],
  );

  const jobRequest = jobs.requestJob;
  const requestJob = useCallback(
    (item: ReviewItem, kind: api.JobKind) => {
      if (holder === undefined) return;
      setError(undefined);
      jobRequest(item, kind);
    },
    [holder, jobRequest],
  );

  const clearError = useCallback(() => {
    setError(undefined);
    setNotice(undefined);
  }, []);

  return {
    current: items[0],
    upcoming: items.slice(1),
    loading: !ready || query.isPending || (items.length === 0 && query.isFetching),
    progress: progress ?? query.data?.progress,
    /** When the current item's hold ends (ms epoch, server clock; see api.serverNow). */
    leaseUntil: items.length ? leaseUntil : undefined,
    error: error ?? (query.error ? query.error.message : undefined),
    notice,
    clearError,
    decide,
    requestJob,
    undoLast,
    updateItem,
  };
}
