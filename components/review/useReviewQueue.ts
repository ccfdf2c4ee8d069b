'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ItemFilter } from '@/lib/review/filter';
import type { ReviewItem } from '@/lib/review/items';
import type { QueueProgress } from '@/lib/review/queue';
import type { RejectReason } from '@/lib/review/reasons';
import * as api from './api';

/** Items the page holds at once: the one shown and the next ones, prefetched. */
const LOOKAHEAD = 4;
const RENEW_EVERY_MS = 30_000;
const EMPTY_QUEUE_POLL_MS = 3_000;

export interface VerdictChoice {
  decision: 'accept' | 'reject' | 'skip';
  instructionVersionId?: number;
  candidateId?: number;
  reasons?: RejectReason[];
  msSpent?: number;
}

/**
 * The review page's queue. Verdicts are applied locally at once (the next item, already
 * prefetched with its images, shows without waiting) and sent in order in the background;
 * the queue is re-claimed after each so the lookahead stays full.
 */
export function useReviewQueue(filter: ItemFilter, holder: string | undefined, reviewer: string | undefined) {
  const queryClient = useQueryClient();
  const queryKey = useMemo(() => ['queue', filter, holder], [filter, holder]);
  const ready = holder !== undefined && reviewer !== undefined;

  const query = useQuery({
    queryKey,
    queryFn: async () => {
      const startedAt = Date.now();
      return { ...(await api.claim({ filter, holder: holder!, reviewer: reviewer!, count: LOOKAHEAD })), startedAt };
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
  const [progress, setProgress] = useState<QueueProgress>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const chain = useRef<Promise<unknown>>(Promise.resolve());

  useEffect(() => {
    setDone(new Set());
    setAway(new Map());
    setFront(undefined);
    setProgress(undefined);
  }, [queryKey]);

  const items = useMemo(() => {
    const startedAt = query.data?.startedAt ?? 0;
    const hidden = (id: number) => done.has(id) || (away.get(id) ?? -1) > startedAt;
    const claimed = (query.data?.items ?? []).filter((item) => !hidden(item.id) && item.id !== front?.id);
    return front && !hidden(front.id) ? [front, ...claimed] : claimed;
  }, [query.data, done, away, front]);

  // Prefetch the images of the items after the current one.
  useEffect(() => {
    for (const item of items.slice(1)) {
      for (const url of [api.previewUrl('source', item.id), api.previewUrl('candidate', item.currentCandidateId)]) {
        const image = new Image();
        image.src = url;
      }
    }
  }, [items]);

  // Keep the leases alive while the page is open, and give them back when it closes.
  useEffect(() => {
    if (!holder) return;
    const timer = setInterval(() => api.renew(holder).catch(() => undefined), RENEW_EVERY_MS);
    const release = () => api.releaseOnUnload(holder);
    window.addEventListener('pagehide', release);
    return () => {
      clearInterval(timer);
      window.removeEventListener('pagehide', release);
    };
  }, [holder]);

  /** Runs server calls one after another, then refreshes the claim. */
  const enqueue = useCallback(
    (call: () => Promise<void>) => {
      chain.current = chain.current
        .then(call)
        .catch((e: Error) => setError(e.message))
        .finally(() => queryClient.invalidateQueries({ queryKey }));
    },
    [queryClient, queryKey],
  );

  const decide = useCallback(
    (item: ReviewItem, choice: VerdictChoice) => {
      if (!ready) return;
      setError(undefined);
      setDone((prev) => new Set(prev).add(item.id));
      enqueue(async () => {
        const result = await api.sendVerdict({ holder, reviewer, filter, itemId: item.id, ...choice });
        setProgress(result.progress);
      });
    },
    [enqueue, filter, holder, reviewer, ready],
  );

  /**
   * Queues a regeneration or rewrite of the item and moves on: the item leaves this page
   * and comes back to the queue when the job ends. If the request is refused, it stays.
   */
  const requestJob = useCallback(
    (item: ReviewItem, kind: api.JobKind) => {
      if (!ready) return;
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
          const { estimatedUsd } = await api.requestJob(item.id, { kind, reviewer, holder });
          awayFrom(Date.now());
          setNotice(`${api.JOB_LABEL[kind]} of ${item.externalId} queued (about $${estimatedUsd.toFixed(2)}); it comes back when done.`);
        } catch (error) {
          awayFrom(undefined);
          throw error;
        }
      });
    },
    [enqueue, holder, reviewer, ready],
  );

  const undoLast = useCallback(() => {
    if (!ready) return;
    setError(undefined);
    enqueue(async () => {
      const result = await api.undo({ holder, reviewer, filter });
      setDone((prev) => {
        const next = new Set(prev);
        next.delete(result.itemId);
        return next;
      });
      setFront(result.item);
      setProgress(result.progress);
    });
  }, [enqueue, filter, holder, reviewer, ready]);

  /** Applies a change to an item wherever this page holds it (e.g. a new instruction version). */
  const updateItem = useCallback(
    (itemId: number, change: (item: ReviewItem) => ReviewItem) => {
      queryClient.setQueryData<api.QueueState & { startedAt: number }>(queryKey, (state) =>
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
