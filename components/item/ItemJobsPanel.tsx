'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { jobDuration, jobEnded, JOBS_POLL_MS } from '@/components/jobs/jobs-view';
import { useJobLabel } from '@/components/jobs/JobKinds';
import { Button } from '@/components/ui/Button';
import type { JobListed, JobsAnswer } from '@/lib/api/jobs';
import type { ItemKindChoice } from '@/lib/jobs/item-kinds';
import { itemJobs, requestItemJob } from './api';
import { LocalTime } from './LocalTime';

const STATUS_STYLE: Record<string, string> = {
  queued: 'text-neutral-300',
  running: 'text-sky-300',
  succeeded: 'text-emerald-300',
  failed: 'text-rose-300',
  cancelled: 'text-neutral-400',
};

/** What the page says when one of the item's jobs ends (the page has re-read the item by then). */
function endedNotice(job: JobListed, label: string): string {
  if (job.status === 'succeeded') return `${label} done ($${job.costUsd.toFixed(3)}); the page shows its result.`;
  if (job.status === 'failed') return `${label} failed${job.error ? `: ${job.error}` : ''}.`;
  return `${label} cancelled.`;
}

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? '' : '.');

/**
 * The item's jobs, and buttons to ask for one (a regeneration, a rewrite, a judgement). While a job
 * of the item is queued or running the panel polls; when one ends the page is read again
 * (router.refresh), so the new candidate or instruction version shows, and a notice says how it went.
 * Idle, it stops polling.
 */
export function ItemJobsPanel({
  itemId,
  initial,
  kinds,
  canRequest,
}: {
  itemId: number;
  initial: JobsAnswer;
  /** The kinds one may ask for here, with why one cannot run on this item (lib/jobs/item-kinds.ts). */
  kinds: ItemKindChoice[];
  canRequest: boolean;
}) {
  const router = useRouter();
  const client = useQueryClient();
  const label = useJobLabel();
  const [notice, setNotice] = useState<string>();
  const jobs = useQuery({
    queryKey: ['item-jobs', itemId],
    queryFn: () => itemJobs(itemId),
    initialData: initial,
    refetchInterval: (query) => (query.state.data?.jobs.some((job) => !jobEnded(job.status)) ? JOBS_POLL_MS : false),
  });
  // Statuses as last seen: a job seen open that is now ended is news (one that ended before the page opened is not).
  const seen = useRef(new Map<number, string>());
  const ask = useMutation({
    mutationFn: (kind: JobListed['kind']) => requestItemJob(itemId, kind),
    onSuccess: ({ jobId, estimatedUsd }, kind) => {
      // Asked here: news when it ends, even if it ends before the panel first sees it running.
      seen.current.set(jobId, 'queued');
      setNotice(`${label(kind)} queued (about $${estimatedUsd.toFixed(2)}).`);
    },
    onSettled: () => client.invalidateQueries({ queryKey: ['item-jobs', itemId] }),
  });

  useEffect(() => {
    const ended = jobs.data.jobs.filter((job) => jobEnded(job.status) && seen.current.has(job.id) && !jobEnded(seen.current.get(job.id)!));
    for (const job of jobs.data.jobs) seen.current.set(job.id, job.status);
    if (ended.length === 0) return;
    setNotice(ended.map((job) => endedNotice(job, label(job.kind))).join(' '));
    router.refresh();
  }, [jobs.data, label, router]);

  const now = Date.now();
  const busy = new Set(jobs.data.jobs.filter((job) => !jobEnded(job.status)).map((job) => job.kind));
  return (
    <div className="flex flex-col gap-3" data-testid="item-jobs-panel">
      {canRequest && (
        <div className="flex flex-wrap gap-2">
          {kinds.map((kind) => (
            <Button
              key={kind.id}
              size="xs"
              disabled={ask.isPending || busy.has(kind.id) || kind.unavailable !== undefined}
              title={kind.unavailable ?? (busy.has(kind.id) ? `${kind.label}: one is queued or running` : undefined)}
              onClick={() => ask.mutate(kind.id)}
            >
              {kind.label}
            </Button>
          ))}
        </div>
      )}
      {canRequest && kinds.some((kind) => kind.unavailable) && (
        <ul className="text-xs text-neutral-500" data-testid="item-kinds-unavailable">
          {kinds.map((kind) => kind.unavailable && <li key={kind.id}>{sentence(kind.unavailable)}</li>)}
        </ul>
      )}
      {ask.error && <p className="text-sm text-rose-300">{ask.error.message}</p>}
      {notice && (
        <p role="status" className="text-sm text-neutral-300" data-testid="item-job-notice">
          {notice}
        </p>
      )}
      {jobs.data.jobs.length === 0 ? (
        <p className="text-sm text-neutral-500">No jobs for this item{canRequest ? ': ask for one above' : ''}.</p>
      ) : (
        <ul className="flex flex-col gap-1.5 text-sm" data-testid="item-jobs">
          {jobs.data.jobs.map((job) => (
            <li key={job.id} data-testid={`item-job-${job.id}`} data-status={job.status} title={job.error ?? undefined}>
              <span className="text-neutral-300">{label(job.kind)}</span> <span className={STATUS_STYLE[job.status]}>{job.status}</span>
              <span className="text-xs text-neutral-500">
                {' · '}
                <LocalTime at={job.createdAt} />
                {jobDuration(job, now) && <span suppressHydrationWarning> · {jobDuration(job, now)}</span>}
                {job.status === 'succeeded' && ` · $${job.costUsd.toFixed(3)}`}
              </span>
              {job.status === 'failed' && job.error && <div className="truncate text-xs text-rose-300/80">{job.error}</div>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
