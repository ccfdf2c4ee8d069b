import type { JobListed, JobsAnswer, JobsFilter } from '@/lib/api/jobs';

/** Jobs per page of the Jobs page. */
export const JOBS_PAGE = 50;

/** How often a page asks again while a job it shows (or may show) is queued or running. */
export const JOBS_POLL_MS = 2_000;

const ENDED = new Set(['succeeded', 'failed', 'cancelled']);
export const jobEnded = (status: string) => ENDED.has(status);

/** The query string of a Jobs filter (kind, status, before), for the page's URL and the API alike. */
export function jobsSearch(filter: JobsFilter): string {
  const params = new URLSearchParams();
  if (filter.kind) params.set('kind', filter.kind);
  if (filter.status) params.set('status', filter.status);
  if (filter.before) params.set('before', String(filter.before));
  return params.toString();
}

export const jobsHref = (filter: JobsFilter) => {
  const search = jobsSearch(filter);
  return search ? `/jobs?${search}` : '/jobs';
};

/** Poll while some job of the listing's kind is queued or running; stop when all is idle. */
export const pollWhileActive = (answer: Pick<JobsAnswer, 'active'> | undefined): number | false => (answer?.active ? JOBS_POLL_MS : false);

/** 850 ms, 4.2 s, 3 m 05 s, 2 h 07 m: short enough for a table cell. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} m`;
}

/** How long the job ran (start to end), or has been running so far; none before it started. */
export function jobDuration(job: Pick<JobListed, 'status' | 'startedAt' | 'finishedAt'>, now: number): string | undefined {
  if (job.startedAt === null) return undefined;
  if (job.finishedAt !== null) return formatDuration(job.finishedAt - job.startedAt);
  return job.status === 'running' ? `${formatDuration(now - job.startedAt)} so far` : undefined;
}
