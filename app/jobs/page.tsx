import { JobsTable } from '@/components/jobs/JobsTable';
import { JOBS_PAGE } from '@/components/jobs/jobs-view';
import { Row, Table } from '@/components/ui/Table';
import { getDb } from '@/db';
import { requirePage } from '@/lib/auth/page';
import { can } from '@/lib/auth/roles';
import { recentBatches, type BatchSummary } from '@/lib/batches/batch';
import { kindOf } from '@/lib/jobs/kinds';
import { jobsPageFilter, listJobs } from '@/lib/jobs/list';

export const dynamic = 'force-dynamic';

const BATCH_STATUS: Record<BatchSummary['status'], { label: string; style: string }> = {
  running: { label: 'running', style: 'bg-sky-500/15 text-sky-300' },
  done: { label: 'done', style: 'bg-emerald-500/15 text-emerald-300' },
  stopped: { label: 'stopped: budget spent', style: 'bg-amber-500/15 text-amber-300' },
  cancelled: { label: 'cancelled', style: 'bg-neutral-800 text-neutral-500' },
  interrupted: { label: 'interrupted', style: 'bg-amber-500/15 text-amber-300' },
};

const BATCH_COLUMNS = [
  { header: 'Batch', className: 'w-16' },
  { header: 'Kind', className: 'w-36' },
  'State',
  { header: 'Items', className: 'w-24', align: 'right' },
  { header: 'Budget', className: 'w-24', align: 'right' },
  { header: 'Started (UTC)', className: 'w-64 pl-6' },
] as const;

/** UTC, to the minute: the same on every machine that looks. */
const when = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** The newest batches with their state: one cut off while it was being queued shows as interrupted. */
function Batches({ batches }: { batches: BatchSummary[] }) {
  if (batches.length === 0) return null;
  return (
    <section className="mb-8">
      <h2 className="mb-2 text-sm font-medium text-neutral-300">Batches</h2>
      <Table fixed testId="batches-table" columns={BATCH_COLUMNS}>
        {batches.map((batch) => (
          <Row key={batch.id} data-testid={`batch-${batch.id}`}>
            <td className="py-2 tabular-nums text-neutral-400">#{batch.id}</td>
            <td className="py-2 text-neutral-300">{kindOf(batch.kind)?.label ?? batch.kind}</td>
            <td className="py-2">
              <span className={`rounded px-1.5 py-0.5 text-xs ${BATCH_STATUS[batch.status].style}`} data-testid="batch-status">
                {BATCH_STATUS[batch.status].label}
              </span>
              {batch.status === 'interrupted' && (
                <span className="ml-2 text-xs text-amber-300/80">
                  its process stopped after queuing {batch.queued?.toLocaleString('en-US')} of {batch.total.toLocaleString('en-US')}; start
                  a new batch for the rest
                </span>
              )}
            </td>
            <td className="py-2 text-right tabular-nums text-neutral-400">{batch.total.toLocaleString('en-US')}</td>
            <td className="py-2 text-right tabular-nums text-neutral-400">${batch.budgetUsd.toFixed(2)}</td>
            <td className="py-2 pl-6 tabular-nums text-neutral-500">
              {when(batch.createdAt)} · {batch.createdBy}
            </td>
          </Row>
        ))}
      </Table>
    </section>
  );
}

type Search = Record<string, string | string[] | undefined>;

export default async function JobsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requirePage('view', '/jobs');
  const { filter, ignored } = jobsPageFilter(await searchParams);
  const db = getDb();
  return (
    <div className="mx-auto w-full max-w-[90rem] px-6 py-8">
      <h1 className="mb-6 text-xl font-semibold text-neutral-100">Jobs</h1>
      <Batches batches={recentBatches(db)} />
      {ignored.length > 0 && (
        <p className="mb-3 text-sm text-amber-300" role="alert" data-testid="jobs-filter-ignored">
          Left out of the filter: {ignored.join('; ')}.
        </p>
      )}
      <JobsTable filter={filter} initial={listJobs(db, { ...filter, limit: JOBS_PAGE })} canManage={can(user.roles, 'manage')} />
    </div>
  );
}
