'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { LocalTime } from '@/components/item/LocalTime';
import { EmptyState } from '@/components/ui/EmptyState';
import { Field } from '@/components/ui/Field';
import { Select } from '@/components/ui/Select';
import { Row, Table } from '@/components/ui/Table';
import { buttonClass } from '@/components/ui/Button';
import { get, post } from '@/lib/api/client';
import type { JobListed, JobsAnswer, JobsFilter } from '@/lib/api/jobs';
import { useJobKinds, useJobLabel } from './JobKinds';
import { JOBS_PAGE, jobDuration, jobsHref, jobsSearch, pollWhileActive } from './jobs-view';

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
const COLUMNS = [
  { header: 'Job', className: 'w-14' },
  { header: 'Item', className: 'w-52' },
  { header: 'Kind', className: 'w-32' },
  { header: 'Status', className: 'w-24' },
  { header: 'Created', className: 'w-32' },
  { header: 'Started', className: 'w-32' },
  { header: 'Finished', className: 'w-32' },
  { header: 'Took', className: 'w-24', align: 'right' },
  { header: 'Cost', className: 'w-28', align: 'right' },
  // What is left of the width (about 11rem at 1440 px); the full message on hover.
  { header: 'Error', className: 'pl-4' },
  { header: 'By', className: 'w-20 pl-3' },
  { className: 'w-16' },
] as const;
const STATUS_STYLE: Record<string, string> = {
  queued: 'bg-neutral-800 text-neutral-300',
  running: 'bg-sky-500/15 text-sky-300',
  succeeded: 'bg-emerald-500/15 text-emerald-300',
  failed: 'bg-rose-500/15 text-rose-300',
  cancelled: 'bg-neutral-800 text-neutral-400',
};

const fetchJobs = (filter: JobsFilter) =>
  get<JobsAnswer>(`/api/jobs?limit=${JOBS_PAGE}${jobsSearch(filter) ? `&${jobsSearch(filter)}` : ''}`);
const act = (id: number, action: 'cancel' | 'retry') => post<unknown>(`/api/jobs/${id}/${action}`);

function Time({ at }: { at: number | null }) {
  return at === null ? <span className="text-neutral-600">–</span> : <LocalTime at={at} />;
}

function Cost({ job }: { job: JobListed }) {
  const actual = job.status === 'succeeded';
  return (
    <>
      <span title={actual ? 'actual cost' : 'estimate'} className={actual ? undefined : 'text-neutral-500'}>
        ${job.costUsd.toFixed(3)}
      </span>
      {/* Calls cut off or failed without an answer stay counted: what the budget was charged. */}
      {Math.abs(job.spentUsd - (actual ? job.costUsd : 0)) > 0.0005 && (
        <div
          className="whitespace-nowrap text-[11px] text-amber-300/80"
          title="committed over all attempts, including calls cut off (counted against budgets)"
        >
          ${job.spentUsd.toFixed(3)} committed
        </div>
      )}
    </>
  );
}

/** The kind and status filters: each change is a new URL (shareable, and Back undoes it), from the newest page. */
function Filters({ filter }: { filter: JobsFilter }) {
  const router = useRouter();
  const kinds = useJobKinds();
  const go = (change: Partial<JobsFilter>) => router.push(jobsHref({ ...filter, ...change, before: undefined }));
  return (
    <div className="mb-4 flex flex-wrap items-end gap-3" data-testid="jobs-filters">
      <Field label="Kind">
        <Select value={filter.kind ?? ''} onChange={(e) => go({ kind: (e.target.value || undefined) as JobsFilter['kind'] })}>
          <option value="">all kinds</option>
          {kinds.map((kind) => (
            <option key={kind.id} value={kind.id}>
              {kind.label}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Status">
        <Select value={filter.status ?? ''} onChange={(e) => go({ status: (e.target.value || undefined) as JobsFilter['status'] })}>
          <option value="">any status</option>
          {STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </Select>
      </Field>
      {(filter.kind || filter.status) && (
        <Link href={jobsHref({})} className={buttonClass({ variant: 'ghost' })}>
          Clear filters
        </Link>
      )}
    </div>
  );
}

/**
 * Jobs of every kind, newest first, a page at a time (keyset: `before` in the URL), filtered by kind
 * and status. Kept live by polling only while some job (of the kind) is queued or running; idle, it
 * stops, and looks again when the window regains focus. Retry and cancel need `canManage`.
 */
export function JobsTable({ filter, initial, canManage }: { filter: JobsFilter; initial: JobsAnswer; canManage: boolean }) {
  const label = useJobLabel();
  const client = useQueryClient();
  const jobs = useQuery({
    queryKey: ['jobs', filter],
    queryFn: () => fetchJobs(filter),
    initialData: initial,
    refetchInterval: (query) => pollWhileActive(query.state.data),
    refetchOnWindowFocus: true,
  });
  const action = useMutation({
    mutationFn: ({ id, kind }: { id: number; kind: 'cancel' | 'retry' }) => act(id, kind),
    onSettled: () => client.invalidateQueries({ queryKey: ['jobs'] }),
  });
  const now = Date.now();
  const { jobs: rows, next, active } = jobs.data;
  const filtered = [filter.kind && label(filter.kind).toLowerCase(), filter.status].filter(Boolean).join(' ');

  return (
    <div data-testid="jobs" data-active={active}>
      <Filters filter={filter} />
      {action.error && <p className="mb-3 text-sm text-rose-300">{action.error.message}</p>}
      {jobs.error && <p className="mb-3 text-sm text-rose-300">Could not refresh the jobs: {jobs.error.message}</p>}
      <Table fixed testId="jobs-table" columns={COLUMNS}>
        {rows.map((job) => (
          <Row key={job.id} data-testid={`job-${job.id}`} data-status={job.status}>
            <td className="py-2 tabular-nums text-neutral-400">#{job.id}</td>
            <td className="truncate py-2 pr-3">
              <Link
                href={`/items/${job.itemId}`}
                className="font-mono text-xs text-neutral-200 hover:text-white hover:underline"
                title={job.itemExternalId}
                data-testid="job-item"
              >
                {job.itemExternalId}
              </Link>
              <div className="truncate text-xs text-neutral-500" title={job.datasetName}>
                {job.datasetName}
                {job.batchId !== null && ` · batch #${job.batchId}`}
              </div>
            </td>
            <td className="py-2">{label(job.kind)}</td>
            <td className="py-2">
              <span className={`rounded px-1.5 py-0.5 text-xs ${STATUS_STYLE[job.status]}`} data-testid="job-status">
                {job.cancelRequested && job.status === 'running' ? 'cancelling' : job.status}
              </span>
              {job.attempts > 1 && (
                <span className="ml-1 text-xs text-neutral-500" title={`${job.attempts} attempts`}>
                  ×{job.attempts}
                </span>
              )}
            </td>
            <td className="py-2 text-xs tabular-nums text-neutral-400">
              <Time at={job.createdAt} />
            </td>
            <td className="py-2 text-xs tabular-nums text-neutral-400">
              <Time at={job.startedAt} />
            </td>
            <td className="py-2 text-xs tabular-nums text-neutral-400">
              <Time at={job.finishedAt} />
            </td>
            <td className="py-2 text-right text-xs tabular-nums text-neutral-300" data-testid="job-duration" suppressHydrationWarning>
              {jobDuration(job, now) ?? <span className="text-neutral-600">–</span>}
            </td>
            <td className="py-2 text-right tabular-nums text-neutral-300">
              <Cost job={job} />
            </td>
            <td className="truncate py-2 pl-4 text-rose-300/90" title={job.error ?? undefined}>
              {job.error}
            </td>
            <td className="truncate py-2 pl-3 text-neutral-400">{job.requestedBy}</td>
            <td className="py-2 text-right">
              {canManage && (job.status === 'queued' || job.status === 'running') && !job.cancelRequested && (
                <button onClick={() => action.mutate({ id: job.id, kind: 'cancel' })} className="text-neutral-400 hover:text-neutral-100">
                  Cancel
                </button>
              )}
              {canManage && (job.status === 'failed' || job.status === 'cancelled') && (
                <button onClick={() => action.mutate({ id: job.id, kind: 'retry' })} className="text-neutral-400 hover:text-neutral-100">
                  Retry
                </button>
              )}
            </td>
          </Row>
        ))}
      </Table>
      {rows.length === 0 && (
        <EmptyState
          look="table"
          message={filter.before ? 'No older jobs.' : `No ${filtered ? `${filtered} ` : ''}jobs.`}
          action={
            filtered ? (
              <Link href={jobsHref({})} className="text-sky-300 hover:underline">
                Show all jobs
              </Link>
            ) : undefined
          }
        />
      )}
      <div className="mt-4 flex gap-3 text-sm">
        {filter.before && (
          <Link href={jobsHref({ ...filter, before: undefined })} className={buttonClass()}>
            ← Newest
          </Link>
        )}
        {next && (
          <Link href={jobsHref({ ...filter, before: next })} className={buttonClass()} data-testid="jobs-older">
            Older →
          </Link>
        )}
      </div>
    </div>
  );
}
