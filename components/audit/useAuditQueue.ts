'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { useActivity } from '@/components/review/useActivity';
import type { AuditItem, AuditProgress } from '@/lib/audit/work';
import * as api from './api';

/** The server's lease is 5 minutes; an active page renews it well before that, an idle one lets it go. */
const RENEW_AFTER_MS = 2 * 60_000;
const IDLE_AFTER_MS = 4 * 60_000;

type AuditScores = Pick<api.ResultBody, 'instructionFollowing' | 'identityPreservation' | 'visualQuality'>;

/**
 * The audit page's samples: claims one (`onShow` is told, so the page starts it afresh), keeps
 * the hold while the auditor is active, gives it back when the page closes, and sends a result
 * then claims the next. A result refused because the hold went elsewhere (409) moves on too.
 */
export function useAuditQueue(campaignId: number, holder: string | undefined, onShow: () => void) {
  const [item, setItem] = useState<AuditItem | null>(null);
  const [progress, setProgress] = useState<AuditProgress>();
  const [loading, setLoading] = useState(true);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string>();
  const claimedAt = useRef(0);
  const activeAt = useRef(Date.now());

  const claimNext = useCallback(async () => {
    if (!holder) return;
    setLoading(true);
    try {
      const claimed = await api.claim(campaignId, holder);
      claimedAt.current = Date.now();
      setProgress(claimed.progress);
      setItem(claimed.sample);
      onShow();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [campaignId, holder, onShow]);

  useEffect(() => {
    void claimNext();
  }, [claimNext]);

  // Closing the page gives its sample back at once rather than after the lease runs out.
  useEffect(() => {
    if (!holder) return;
    const release = () => api.releaseOnUnload(campaignId, holder);
    window.addEventListener('pagehide', release);
    return () => window.removeEventListener('pagehide', release);
  }, [campaignId, holder]);

  // Renew the hold while the auditor is at the page (a claim returns the sample the page holds).
  const renew = useCallback(() => {
    if (!holder) return;
    claimedAt.current = Date.now();
    api.claim(campaignId, holder).then(
      (claimed) => setProgress(claimed.progress),
      () => undefined, // the next result or claim reports trouble
    );
  }, [campaignId, holder]);
  useActivity(() => {
    activeAt.current = Date.now();
    if (!holder || !item || sending || Date.now() - claimedAt.current < RENEW_AFTER_MS) return;
    renew();
  });
  useEffect(() => {
    if (!holder) return;
    const timer = setInterval(() => {
      const idle = Date.now() - activeAt.current > IDLE_AFTER_MS;
      if (!idle && item && !sending && Date.now() - claimedAt.current >= RENEW_AFTER_MS) renew();
    }, 30_000);
    return () => clearInterval(timer);
  }, [holder, item, sending, renew]);

  /** Sends the result on the sample shown, then shows the next. */
  const send = async (result: AuditScores & { pass: boolean; note?: string; msSpent: number }) => {
    if (!item || !holder || sending) return;
    setSending(true);
    setError(undefined);
    try {
      await api.sendResult(campaignId, { holder, itemId: item.itemId, ...result });
      await claimNext();
    } catch (e) {
      const failure = e as api.ApiError;
      if (failure.status === 409) {
        setError(`${failure.message}. Here is the next one.`);
        await claimNext();
      } else setError(failure.message);
    } finally {
      setSending(false);
    }
  };

  return { item, progress, loading, sending, error, setError, send };
}
