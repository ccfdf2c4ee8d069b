'use client';

import type { QueueFilter } from '@/lib/filter/filter';
import type { QueueProgress } from '@/lib/review/queue';
import { FilterBar, type QueueOptions } from './FilterBar';
import { LeaseTimer } from './LeaseTimer';

const number = new Intl.NumberFormat('en-US');

/** The review page's top bar: the queue's filters, its progress, the hold's timer, who is reviewing, and the `?` help. */
export function QueueBar(props: {
  filter: QueueFilter;
  options: QueueOptions;
  progress: QueueProgress | undefined;
  leaseUntil: number | undefined;
  reviewer: string;
  onHelp: () => void;
}) {
  const { progress } = props;
  return (
    // Two groups: the filters take the room the status (progress, hold, reviewer, help) leaves and
    // wrap inside it, so the status stays whole on the first row; only a narrow window (under the
    // filters' minimum) moves the status, whole, below them. At 1440 px it is all one row.
    <div className="flex flex-wrap items-start gap-x-4 gap-y-2 border-b border-neutral-800 px-4 py-2 text-sm" data-testid="queue-bar">
      <div className="flex min-w-72 flex-1 basis-0 flex-wrap items-center gap-2">
        <FilterBar filter={props.filter} options={props.options} />
      </div>
      {/* As tall as a select, so its text lines up with the first row of filters. */}
      <div className="ml-auto flex min-h-7.5 shrink-0 items-center gap-3">
        {progress && (
          <div className="flex items-center gap-2" data-testid="progress">
            <div className="h-1.5 w-24 overflow-hidden rounded-full bg-neutral-800">
              <div
                className="h-full bg-neutral-300"
                style={{ width: `${progress.total ? (100 * progress.reviewed) / progress.total : 0}%` }}
              />
            </div>
            <span className="tabular-nums text-neutral-400">
              <span className="text-neutral-100">{number.format(progress.reviewed)}</span> / {number.format(progress.total)} reviewed
            </span>
          </div>
        )}
        {/* After the progress, so its changing width never moves the ticking timer. */}
        <LeaseTimer until={props.leaseUntil} />
        <span className="whitespace-nowrap text-neutral-500" data-testid="reviewer">
          as <span className="text-neutral-300">{props.reviewer}</span>
        </span>
        <button
          onClick={props.onHelp}
          className="rounded text-neutral-500 hover:text-neutral-200 focus-visible:outline-2 focus-visible:outline-sky-400"
          aria-label="Keyboard shortcuts"
        >
          <kbd>?</kbd>
        </button>
      </div>
    </div>
  );
}
