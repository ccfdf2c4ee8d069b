'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ReviewItem } from '@/lib/review/items';
import { useJobLabel } from '../jobs/JobKinds';
import * as api from './api';
import { jobEndedNotice, withoutKey, type AskedJob, type ClaimState, type QueueContext } from './queue-view';

/** How often the page asks after the jobs it queued, so their items come back when they end. */
const JOB_POLL_MS = 1_500;

/**
 * The review page's regenerations and rewrites: asking for one sends the item away (hidden
 * from claims made before the job was queued); the page polls its jobs, and when one ends
 * its item is claimed back, next in line, with a notice saying how it went.
 */
export function useQueueJobs(context: QueueContext) {
  const { filter, holder, queryKey, count, enqueue, setFront, setReturned, setNotice, shown } = context;
  const queryClient = useQueryClient();
  const jobLabel = useJobLabel();
  const [away, setAway] = useState<ReadonlyMap<number, number>>(new Map());
  // Jobs this page queued, by job id, until they end.
  const [asked, setAsked] = useState<ReadonlyMap<number, AskedJob>>(new Map());

  useEffect(() => {
    setAway(new Map());
    setAsked(new Map());
  }, [queryKey]);

  /**
   * Queues a regeneration or rewrite of the item and moves on: the item leaves this page
   * and comes back to the queue when the job ends. If the request is refused, it stays.
   */
  const requestJob = useCallback(
    (item: ReviewItem, kind: api.JobKind) => {
      if (holder === undefined) return;
      const awayFrom = (time: number | undefined) =>
        setAway((prev) => (time === undefined ? withoutKey(prev, item.id) : new Map(prev).set(item.id, time)));
      awayFrom(Infinity);
      enqueue(async () => {
        try {
          const { jobId, estimatedUsd } = await api.requestJob(item.id, { kind, holder });
          awayFrom(Date.now());
          // An item brought back by undo must not stay on screen as it was before the job.
          setFront((front) => (front?.id === item.id ? undefined : front));
          setAsked((prev) => new Map(prev).set(jobId, { itemId: item.id, externalId: item.externalId, kind, label: jobLabel(kind) }));
          setNotice({
            text: `${jobLabel(kind)} of ${item.externalId} queued (about $${estimatedUsd.toFixed(2)}); it comes back when done.`,
            jobs: true,
          });
        } catch (error) {
          awayFrom(undefined);
          throw error;
        }
      });
    },
    [enqueue, holder, jobLabel, setFront, setNotice],
  );

  // Asks after the page's jobs until they end (React Query polls while any is open).
  const askedIds = useMemo(() => [...asked.keys()].sort((a, b) => a - b), [asked]);
  const jobs = useQuery({
    queryKey: ['asked-jobs', askedIds],
    queryFn: () => api.jobStates(askedIds),
    enabled: holder !== undefined && askedIds.length > 0,
    refetchInterval: JOB_POLL_MS,
  });

  /** A job of this page ended: its item comes back first (with its new version), and the notice says how it went. */
  const bringBack = useCallback(
    (ask: AskedJob, job: api.JobState | undefined) => {
      if (holder === undefined) return;
      enqueue(async () => {
        await queryClient.cancelQueries({ queryKey });
        const startedAt = Date.now();
        const state = await api.claim({ filter, holder, count, prefer: [ask.itemId] });
        queryClient.setQueryData<ClaimState>(queryKey, { ...state, startedAt });
        setAway((prev) => withoutKey(prev, ask.itemId));
        const back = state.items.find((item) => item.id === ask.itemId);
        // Next in line, never in place of the item on screen (a key on its way is meant for that one).
        const onScreen = shown.current?.id;
        if (back)
          setReturned((prev) => [
            ...prev.filter((r) => r.itemId !== back.id),
            { itemId: back.id, after: onScreen === back.id ? undefined : onScreen },
          ]);
        setNotice(jobEndedNotice(ask, job, back !== undefined));
      }, false);
    },
    [count, enqueue, filter, holder, queryClient, queryKey, setNotice, setReturned, shown],
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

  return { away, requestJob };
}
