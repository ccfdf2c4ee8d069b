'use client';

import { useState } from 'react';
import { isEmptyNotice, type TermsNotice } from './filter-terms';

/**
 * Under the review bar: which of the URL's filter terms the queue left out, and why
 * (components/review/url-terms.ts). Calm (the queue works; the link asked for more than it can
 * take), one line per reason, and dismissible; nothing when every term applied.
 */
export function FilterNotice({ notice }: { notice: TermsNotice }) {
  // Dismissed for these terms only: a link with other terms brings its own notice.
  const key = JSON.stringify(notice);
  const [dismissed, setDismissed] = useState<string>();
  if (isEmptyNotice(notice) || dismissed === key) return null;
  const lines = [
    notice.notForQueue.length > 0 && {
      lead: 'Not applied here:',
      terms: notice.notForQueue.join(', '),
      why: 'a review queue holds pending items, which have no verdict yet.',
    },
    notice.leadOnly.length > 0 && {
      lead: 'Not applied here:',
      terms: notice.leadOnly.join(', '),
      why: 'only a lead can narrow a review queue to a selection.',
    },
    notice.bad.length > 0 && { lead: 'Not understood, so not applied:', terms: notice.bad.join('; '), why: '' },
  ].filter((line) => !!line);
  return (
    <div
      role="status"
      aria-label="Filter terms not applied"
      data-testid="filter-notice"
      className="flex items-start gap-3 border-b border-sky-900/60 bg-sky-950/40 px-4 py-2 text-sm text-sky-200"
    >
      <ul className="min-w-0 flex-1 space-y-0.5">
        {lines.map((line) => (
          <li key={line.lead + line.terms} className="break-words">
            <span className="text-sky-100">{line.lead}</span> {line.terms}
            {line.why && <span className="text-sky-300"> — {line.why}</span>}
          </li>
        ))}
      </ul>
      <button
        type="button"
        className="shrink-0 rounded text-sky-400 hover:text-sky-200 focus-visible:outline-2 focus-visible:outline-sky-400"
        onClick={() => setDismissed(key)}
        aria-label="Dismiss the note on filter terms"
      >
        Dismiss
      </button>
    </div>
  );
}
