'use client';

import { useEffect, useRef } from 'react';

const POINTERMOVE_EVERY_MS = 1_000;
const EVENTS = ['keydown', 'pointerdown', 'wheel'] as const;

/**
 * Calls `onActivity` on the reviewer's input: keys, clicks and taps, the wheel, and pointer
 * moves (at most once a second). Listens in the capture phase, so it runs before the page's
 * own key and click handlers.
 */
export function useActivity(onActivity: () => void) {
  const latest = useRef(onActivity);
  useEffect(() => {
    latest.current = onActivity;
  });

  useEffect(() => {
    let lastMove = 0;
    const active = () => latest.current();
    const moved = () => {
      const now = Date.now();
      if (now - lastMove < POINTERMOVE_EVERY_MS) return;
      lastMove = now;
      active();
    };
    const options = { capture: true, passive: true };
    for (const type of EVENTS) window.addEventListener(type, active, options);
    window.addEventListener('pointermove', moved, options);
    return () => {
      for (const type of EVENTS) window.removeEventListener(type, active, options);
      window.removeEventListener('pointermove', moved, options);
    };
  }, []);
}
