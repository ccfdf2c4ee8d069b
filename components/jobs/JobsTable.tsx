'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { EmptyState } from '@/components/ui/EmptyState';
import { Row, Table } from '@/components/ui/Table';
import { get, post } from '@/lib/api/client';
import type { JobRow } from '@/lib/jobs/jobs';
import { useJobLabel } from './JobKinds';

const STATUSES = ['', 'queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
const COLUMNS = [
  { header: 'Job', className: 'w-16' },
  { header: 'Kind', className: 'w-36' },
  { header: 'Item', className: 'w-20' },
  { header: 'Status', className: 'w-24' },
  'Error',
  { header: 'Cost', className: 'w-20', align: 'right' },
  { header: 'By', className: 'w-24 pl-4' },
  { className: 'w-24' },
] as const;
const STATUS_STYLE: Record<string, string> = {
  queued: 'bg-neutral-800 text-neutral-300',
  running: 'bg-sky-500/15 text-sky-300',
  succeeded: 'bg-emerald-500/15 text-emerald-300',
  failed: 'bg-rose-500/15 text-rose-300',
  cancelled: 'bg-neutral-800 text-neutral-500',
};

async function fetchJobs(status: string): Promise<JobRow[]> {
  return (await get<{ jobs: JobRow[] }>(`/api/jobs?limit=100${status ? `&status=${status}` : ''}`)).jobs;
}

const act = (id: number, action: 'cancel' | 'retry') => post<unknown>(`/api/jobs/${id}/${action}`);

/** Jobs of every kind, newest first, refreshed every two seconds; retry and cancel need `canManage`. */
export function JobsTable({ canManage }: { canManage: boolean }) {
  const label = useJobLabel();
  const [status, setStatus] = useState<string>('');
  const client = useQueryClient();
  const jobs = useQuery({ queryKey: ['jobs', status], queryFn: () => fetchJobs(status), refetchInterval: 2000 });
  const action = useMutation({
    mutationFn: ({ id, kind }: { id: number; kind: 'cancel' | 'retry' }) => act(id, kind),
    onSettled: () => client.invalidateQueries({ queryKey: ['jobs'] }),
  });

  return (
    <div>
      <div className="mb-4 flex gap-1 text-sm" role="tablist">
        {STATUSES.map((s) => (
          <button
            key={s || 'all'}
            role="tab"
            aria-selected={status === s}
            onClick={() => setStatus(s)}
            className={`rounded-md px-3 py-1 ${status === s ? 'bg-neutral-200 text-neutral-900' : 'text-neutral-400 hover:bg-neutral-800'}`}
          >
            {s || 'all'}
          </button>
        ))}
      </div>
      {action.error && <p className="mb-3 text-sm text-rose-300">{action.error.message}</p>}
      <Table fixed testId="jobs-table" columns={COLUMNS}>
        {(jobs.data ?? []).map((job) => (
          <Row key={job.id} data-testid={`job-${job.id}`}>
            <td className="py-2 tabular-nums text-neutral-400">#{job.id}</td>
            <td className="py-2">{label(job.kind)}</td>
            <td className="py-2 tabular-nums text-neutral-400">{job.itemId}</td>
            <td className="py-2">
              <span className={`rounded px-1.5 py-0.5 text-xs ${STATUS_STYLE[job.status]}`}>
                {job.cancelRequested && job.status === 'running' ? 'cancelling' : job.status}
              </span>
              {job.attempts > 1 && <span className="ml-1 text-xs text-neutral-500">×{job.attempts}</span>}
            </td>
            <td className="truncate py-2 text-rose-300/90" title={job.error ?? undefined}>
              {job.error}
            </td>
            <td className="py-2 text-right tabular-nums text-neutral-300" title={job.status === 'succeeded' ? 'actual' : 'estimate'}>
              ${job.costUsd.toFixed(3)}
              {/* Calls cut off or failed without an answer stay counted: what the budget was charged. */}
              {Math.abs(job.spentUsd - (job.status === 'succeeded' ? job.costUsd : 0)) > 0.0005 && (
                <div
                  className="text-[11px] text-amber-300/80"
                  title="committed over all attempts, including calls cut off (counted against budgets)"
                >
                  ${job.spentUsd.toFixed(3)} committed
                </div>
              )}
            </td>
            <td className="truncate py-2 pl-4 text-neutral-400">{job.requestedBy}</td>
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
      {jobs.data?.length === 0 && <EmptyState look="table" message={`No jobs${status ? ` ${status}` : ''}.`} />}
    </div>
  );
}
