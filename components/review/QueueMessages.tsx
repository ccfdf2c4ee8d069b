'use client';

import type { QueueNotice } from './queue-view';

/** The queue's notice (a job queued, a hold that lapsed) or, instead, its error; both dismissable. */
export function QueueMessages({ notice, error, onDismiss }: { notice?: QueueNotice; error?: string; onDismiss: () => void }) {
  if (error)
    return (
      <div
        role="alert"
        data-testid="review-error"
        className="flex items-center gap-3 border-b border-amber-900/60 bg-amber-950/40 px-4 py-2 text-sm text-amber-200"
      >
        {error}
        <button className="ml-auto text-amber-400 hover:text-amber-200" onClick={onDismiss}>
          Dismiss
        </button>
      </div>
    );
  if (!notice) return null;
  return (
    <div role="status" className="flex items-center gap-3 border-b border-sky-900/60 bg-sky-950/40 px-4 py-2 text-sm text-sky-200">
      {notice.text}
      {notice.jobs && (
        <a href="/jobs" className="text-sky-400 hover:text-sky-200">
          Jobs
        </a>
      )}
      <button className="ml-auto text-sky-400 hover:text-sky-200" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
