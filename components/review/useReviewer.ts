'use client';

import { useCallback, useEffect, useState } from 'react';

function randomId() {
  // randomUUID exists only in secure contexts (https or localhost); a LAN address is not one.
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Who is reviewing: a name kept in localStorage (verdicts are recorded under it) and a
 * per-tab holder id kept in sessionStorage (leases belong to it, so two tabs never share
 * an item, and a reload keeps the tab's items).
 */
export function useReviewer() {
  const [holder, setHolder] = useState<string>();
  const [reviewer, setReviewerState] = useState<string>();

  useEffect(() => {
    let id = sessionStorage.getItem('loupe.holder');
    if (!id) sessionStorage.setItem('loupe.holder', (id = randomId()));
    setHolder(id);
    setReviewerState(localStorage.getItem('loupe.reviewer') || 'reviewer');
  }, []);

  const setReviewer = useCallback((name: string) => {
    const trimmed = name.trim().slice(0, 80) || 'reviewer';
    localStorage.setItem('loupe.reviewer', trimmed);
    setReviewerState(trimmed);
  }, []);

  return { holder, reviewer, setReviewer };
}
