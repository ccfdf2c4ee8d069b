import Link from 'next/link';
import { getDb } from '@/db';
import { summarizeDatasets, type StatusTotals } from '@/lib/datasets/summary';
import { StatusBar } from '@/components/ProgressBar';
import { buttonClass } from '@/components/ui/Button';
import { EmptyState } from '@/components/ui/EmptyState';
import { requirePage } from '@/lib/auth/page';
import { can } from '@/lib/auth/roles';
import { reviewHref } from '@/lib/filter/filter-codec';

export const dynamic = 'force-dynamic';

const number = new Intl.NumberFormat('en-US');

function Counts({ totals }: { totals: StatusTotals }) {
  return (
    <span className="tabular-nums text-neutral-400">
      <span className="text-emerald-400">{number.format(totals.accepted)}</span> accepted ·{' '}
      <span className="text-rose-400">{number.format(totals.rejected)}</span> rejected · {number.format(totals.pending)} pending
    </span>
  );
}

export default async function DatasetsPage() {
  const user = await requirePage('view', '/');
  const canReview = can(user.roles, 'review');
  const datasets = summarizeDatasets(getDb());
  return (
    <div className="mx-auto w-full max-w-5xl px-6 py-8">
      <h1 className="mb-6 text-xl font-semibold text-neutral-100">Datasets</h1>
      {datasets.length === 0 && (
        <EmptyState
          message={
            <>
              No datasets yet.{' '}
              {can(user.roles, 'manage') ? (
                <>
                  Import one with <code className="text-neutral-200">npm run loupe -- import PATH</code>.
                </>
              ) : (
                'A lead imports them.'
              )}
            </>
          }
        />
      )}
      <div className="space-y-6">
        {datasets.map((dataset) => (
          <section key={dataset.id} className="rounded-lg border border-neutral-800 bg-neutral-900/40">
            <div className="flex items-center gap-4 border-b border-neutral-800 px-5 py-4">
              <div className="min-w-0 flex-1">
                <h2 className="text-base font-medium text-neutral-100">{dataset.name}</h2>
                <p className="mt-1 text-sm">
                  {number.format(dataset.total)} items · <Counts totals={dataset} />
                </p>
                <StatusBar totals={dataset} className="mt-3" />
              </div>
              <Link href={`/datasets/${dataset.id}`} className={buttonClass({ variant: 'ghost', size: 'md' })}>
                Browse
              </Link>
              {canReview && (
                <Link href={reviewHref({ datasetId: dataset.id })} className={buttonClass({ variant: 'primary', size: 'md' })}>
                  Review
                </Link>
              )}
            </div>
            <table className="w-full text-sm">
              <tbody>
                {dataset.tasks.map((task) => (
                  <tr key={`${task.family}/${task.task}`} className="border-b border-neutral-800/60 last:border-0">
                    <td className="py-2 pl-5 text-neutral-500">{task.family}</td>
                    <td className="py-2 text-neutral-200">{task.task}</td>
                    <td className="py-2 text-right tabular-nums text-neutral-400">{number.format(task.total)}</td>
                    <td className="w-40 px-4 py-2">
                      <StatusBar totals={task} />
                    </td>
                    <td className="py-2 pr-5 text-right">
                      {canReview && (
                        <Link
                          className="text-neutral-400 hover:text-neutral-100"
                          href={reviewHref({ datasetId: dataset.id, family: task.family, task: task.task })}
                        >
                          Review →
                        </Link>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ))}
      </div>
    </div>
  );
}
