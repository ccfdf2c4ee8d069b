'use client';

import { useEffect, useState } from 'react';
import { serverNow } from './api';
import { LEASE_MS } from './useLeases';

const LOW_MS = 30_000;
const RADIUS = 5;
const CIRCUMFERENCE = 2 * Math.PI * RADIUS;

function clock(ms: number) {
  const seconds = Math.ceil(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/**
 * How long this page still holds the item on screen: a thin ring and "held 1:43", amber in
 * the last 30 s. Fixed width and always in the layout (invisible while nothing is held), so
 * nothing around it moves as it ticks or appears. Ticks on its own so the page does not re-render.
 */
export function LeaseTimer({ until }: { until: number | undefined }) {
  const [now, setNow] = useState(0);

  useEffect(() => {
    if (until === undefined) return;
    setNow(serverNow());
    const timer = setInterval(() => setNow(serverNow()), 1000);
    return () => clearInterval(timer);
  }, [until]);

  const left = until === undefined || now === 0 ? undefined : Math.max(0, until - now);
  const low = left !== undefined && left < LOW_MS;
  const fraction = left === undefined ? 0 : Math.min(1, left / LEASE_MS);
  const label = left === undefined ? '' : left > 0 ? `Your hold on this item: ${clock(left)} left` : 'Your hold on this item has expired';

  return (
    <span
      data-testid="lease-remaining"
      role="timer"
      aria-label={label || undefined}
      title={
        'Others cannot take this item while you hold it. The hold renews while you are active; after ' +
        '2 minutes without input it lapses and the item goes back to the queue.'
      }
      className={`inline-flex w-24 shrink-0 items-center gap-1.5 text-xs tabular-nums ${
        low ? 'text-amber-400' : 'text-neutral-500'
      } ${left === undefined ? 'invisible' : ''}`}
    >
      <svg viewBox="0 0 14 14" className="size-3.5 shrink-0 -rotate-90" aria-hidden="true">
        <circle cx="7" cy="7" r={RADIUS} fill="none" strokeWidth="1.5" className="stroke-neutral-800" />
        <circle
          cx="7"
          cy="7"
          r={RADIUS}
          fill="none"
          strokeWidth="1.5"
          stroke="currentColor"
          strokeDasharray={CIRCUMFERENCE}
          strokeDashoffset={CIRCUMFERENCE * (1 - fraction)}
          className="transition-[stroke-dashoffset] duration-1000 ease-linear"
        />
      </svg>
      {left === undefined ? 'held 0:00' : left > 0 ? `held ${clock(left)}` : 'expired'}
    </span>
  );
}
