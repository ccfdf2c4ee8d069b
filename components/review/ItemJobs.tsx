'use client';

import type { ReviewItem } from '@/lib/review/items';
import { useJobKinds, useJobLabel } from '../jobs/JobKinds';

const STATUS_STYLE: Record<string, string> = {
  queued: 'text-neutral-300',
  running: 'text-sky-300',
  succeeded: 'text-emerald-300',
  failed: 'text-rose-300',
  cancelled: 'text-neutral-500',
};

/** The item's jobs a person asked for or a batch queued (regeneration, rewrite, judgement…): what ran, what failed and why. */
export function ItemJobs({ item }: { item: ReviewItem }) {
  const label = useJobLabel();
  // Bulk kinds (signal computation) are bookkeeping: their results show as the signal chips instead.
  const kinds = useJobKinds();
  const jobs = item.jobs.filter((job) => !kinds.some((kind) => kind.id === job.kind && kind.priority === 'bulk'));
  if (jobs.length === 0) return null;
  return (
    <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs" data-testid="item-jobs">
      {jobs.slice(-3).map((job) => (
        <li key={job.id} className="text-neutral-500" title={job.error ?? undefined}>
          {label(job.kind)} <span className={STATUS_STYLE[job.status]}>{job.status}</span>
          {job.status === 'failed' && job.error && <span className="text-rose-300/80">: {job.error.slice(0, 120)}</span>}
          {job.status === 'succeeded' && <span> · ${job.costUsd.toFixed(3)}</span>}
        </li>
      ))}
    </ul>
  );
}
