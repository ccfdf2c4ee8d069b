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
    <div className="flex flex-wrap items-center gap-3 border-b border-neutral-800 px-4 py-2 text-sm">
      <FilterBar filter={props.filter} options={props.options} />
      {progress && (
        <div className="ml-auto flex items-center gap-3" data-testid="progress">
          <div className="h-1.5 w-40 overflow-hidden rounded-full bg-neutral-800">
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
      <span className={progress ? '' : 'ml-auto'}>
        <LeaseTimer until={props.leaseUntil} />
      </span>
      <span className="text-neutral-500" data-testid="reviewer">
        as <span className="text-neutral-300">{props.reviewer}</span>
      </span>
      <button onClick={props.onHelp} className="text-neutral-500 hover:text-neutral-200" aria-label="Keyboard shortcuts">
        <kbd>?</kbd>
      </button>
    </div>
  );
}
