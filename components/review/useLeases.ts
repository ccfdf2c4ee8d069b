'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import * as api from './api';
import { claimExpiry, type ClaimState, type QueueContext } from './queue-view';
import { useActivity } from './useActivity';

/** The server's lease length (LEASE_MS in lib/review/queue.ts, a server-only module). */
export const LEASE_MS = 2 * 60_000;
export const RENEW_EVERY_MS = 30_000;
/** Renewals stop after this long without input, so an unattended page's items go back to the queue. */
const IDLE_AFTER_MS = LEASE_MS;
/** Coming back to a lease with less than this left renews at once rather than at the next tick. */
const RENEW_NOW_BELOW_MS = 60_000;
/** A lease this close to its end counts as lapsed: a renewal might reach the server too late. */
const LAPSE_MARGIN_MS = 1_000;
const AWAY_NOTICE = 'Your hold on this item expired while you were away; here is the next one.';
/** The latest mount of the review page per holder: every page of a tab shares its holder (useHolder). */
const latestMount = new Map<string, number>();
let mounts = 0;

/**
 * The review page's hold on its items. Leases are renewed only while the reviewer is at the
 * page (input within IDLE_AFTER_MS): an unattended page lets them lapse so others can review
 * its items, and the first input after a lapse claims again (the server gives back the page's
 * items if nobody took them). The page gives its items back when it closes, or when it
 * unmounts (after the calls on their way).
 */
export function useLeases(context: QueueContext, claim: ClaimState | undefined, pending: () => Promise<unknown>) {
  const { filter, holder, queryKey, count, enqueue, setFront, setNotice, shown, held, lapsed } = context;
  const queryClient = useQueryClient();
  // When the page's leases end (ms epoch, server clock); undefined while it holds nothing.
  const [leaseUntil, setLeaseUntilState] = useState<number>();
  const leaseUntilRef = useRef<number>(undefined);
  const setLeaseUntil = useCallback((until: number | undefined) => {
    leaseUntilRef.current = until;
    setLeaseUntilState(until);
  }, []);

  useEffect(() => {
    setLeaseUntil(claim && claimExpiry(claim.items));
  }, [claim, setLeaseUntil]);

  const leaseLeft = () => (leaseUntilRef.current === undefined ? undefined : leaseUntilRef.current - api.serverNow());

  const renewing = useRef(false);
  const renewLeases = useCallback(() => {
    const left = leaseLeft();
    // Nothing held, or nothing live to extend (the next input claims again instead).
    if (!holder || renewing.current || left === undefined || left <= LAPSE_MARGIN_MS) return;
    renewing.current = true;
    const sentAt = api.serverNow();
    const untilThen = leaseUntilRef.current;
    api
      .renew(holder)
      .then(({ expiresAt, renewed }) => {
        const until = leaseUntilRef.current;
        // Nothing extended: the page holds nothing now (a late release, a lead's), so it counts
        // as lapsed and the next input claims again; unless a claim landed meanwhile.
        if (renewed === 0) {
          if (until === untilThen) setLeaseUntil(0);
          return;
        }
        // The renewal extended only leases still live when it was sent; a claim that landed
        // meanwhile may have set a later expiry.
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
        const state = await api.claim({ filter, holder, count });
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
  }, [count, enqueue, filter, held, holder, lapsed, queryClient, queryKey, setFront, setNotice, shown]);

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

  // Leaving for another page of the app unmounts the page without a pagehide: give the
  // items back too, once the verdicts on their way have landed, unless the tab is back on the
  // review page by then (a newer mount, same holder): that release would undo its fresh claim.
  useEffect(() => {
    if (!holder) return;
    const mount = ++mounts;
    latestMount.set(holder, mount);
    return () =>
      void pending().then(() => {
        if (latestMount.get(holder) !== mount) return;
        latestMount.delete(holder);
        api.releaseOnUnload(holder);
      });
  }, [holder, pending]);

  return leaseUntil;
}
