import Link from 'next/link';
import { AuditChart } from '@/components/dashboard/AuditChart';
import { DataTable, Figure } from '@/components/dashboard/Figure';
import { number, percent, rateWithInterval, usd } from '@/components/dashboard/format';
import { AcceptRateChart, ProgressChart } from '@/components/dashboard/ProgressCharts';
import { SpendChart, SuccessChart } from '@/components/dashboard/RegenerationCharts';
import { VerdictsChart } from '@/components/dashboard/VerdictsChart';
import { Button } from '@/components/ui/Button';
import { EmptyState } from '@/components/ui/EmptyState';
import { Section } from '@/components/ui/Section';
import { Select } from '@/components/ui/Select';
import { Stat } from '@/components/ui/Stat';
import { getDb } from '@/db';
import { requirePage } from '@/lib/auth/page';
import { can } from '@/lib/auth/roles';
import type { VerdictDay } from '@/lib/dashboard/queries';
import { DASHBOARD_SUMMARY } from '@/lib/dashboard/offload';
import { offThread } from '@/lib/offload/pool';
import { listDatasets } from '@/lib/datasets';
import { parseId } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

/** "No bar for a, b: why." (up to 4 names, then a count), or nothing when every row has one. */
function emptyRows(names: string[], why: string): string | undefined {
  if (names.length === 0) return undefined;
  const shown = names.length <= 4 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${number.format(names.length - 3)} more`;
  return `No bar for ${shown}: ${why}.`;
}

/**
 * The verdicts card's note: the day's count, and the average over the active days only when it says
 * something ("0 a day on average" over 9 verdicts does not). One decimal below 10 a day.
 */
function verdictsNote(days: VerdictDay[]): string {
  const count = (d: VerdictDay) => d.accept + d.reject + d.skip;
  const today = count(days.at(-1)!);
  const active = days.filter((d) => count(d) > 0);
  const total = active.reduce((sum, d) => sum + count(d), 0);
  const todayText = `${number.format(today)} today`;
  if (active.length < 2) return total === 0 ? 'none yet' : todayText;
  const average = total / active.length;
  const shown = average < 10 ? average.toFixed(1) : number.format(Math.round(average));
  return `${todayText} · ${shown} a day on the ${active.length} days with any`;
}

type Search = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) || undefined;

export default async function DashboardPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requirePage('view', '/dashboard');
  const db = getDb();
  const datasets = listDatasets(db);
  const search = await searchParams;
  const dataset = datasets.find((d) => d.id === parseId(first(search.dataset)));
  // On the offload worker, as GET /api/dashboard: the first (cold) call never holds the server's thread.
  const summary = await offThread(db, DASHBOARD_SUMMARY, dataset?.id ?? null, Date.now());
  const { progress, regeneration, audits } = summary;
  const { overall } = progress;
  const days = summary.verdictsPerDay;
  const decided = overall.accepted + overall.rejected;
  const verdicts30 = days.reduce((sum, d) => sum + d.accept + d.reject + d.skip, 0);
  const activeKinds = regeneration.kinds.filter((k) => k.total > 0);
  const scope = dataset ? dataset.name : 'all datasets';
  const canManage = can(user.roles, 'manage');

  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-8">
      <div className="flex flex-wrap items-baseline gap-4">
        <h1 className="text-xl font-semibold text-neutral-100">Dashboard</h1>
        <form method="get" className="ml-auto flex items-center gap-3 text-sm">
          <Select name="dataset" defaultValue={dataset?.id ?? ''} aria-label="Dataset">
            <option value="">All datasets</option>
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </Select>
          <Button type="submit">Show</Button>
        </form>
      </div>
      <p className="mt-2 text-sm text-neutral-400">
        {dataset ? (
          <Link href={`/datasets/${dataset.id}`} className="text-neutral-200 hover:text-white">
            {dataset.name}
          </Link>
        ) : (
          'All datasets'
        )}
        {can(user.roles, 'adjudicate') && (
          <>
            {' · '}
            <Link href={dataset ? `/signals?dataset=${dataset.id}` : '/signals'} className="text-neutral-300 hover:text-white">
              Can the judge be trusted? Signals against human decisions →
            </Link>
          </>
        )}
      </p>

      {overall.total === 0 ? (
        <EmptyState className="mt-6" message="No items yet: import a dataset first." />
      ) : (
        <>
          <div className="mt-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-4" data-testid="dashboard-stats">
            <Stat
              label="Decided"
              value={percent(decided / overall.total, 1)}
              note={`${number.format(decided)} of ${number.format(overall.total)} items · ${number.format(overall.disputed)} disputed`}
            />
            <Stat
              label="Accept rate"
              value={percent(overall.acceptRate?.estimate, 1)}
              note={`95% CI ${rateWithInterval(overall.acceptRate, 1)}`}
            />
            <Stat label="Verdicts, last 30 days" value={number.format(verdicts30)} note={verdictsNote(days)} />
            <Stat
              label="Spent on jobs"
              value={usd(regeneration.totals.spentUsd)}
              note={`${usd(regeneration.totals.pendingUsd)} queued or running`}
            />
          </div>

          <Section
            title="Progress by family and task"
            note="Items by status, and the accept rate of the decided ones with its 95% Wilson interval."
          >
            <div className="grid gap-4 lg:grid-cols-2">
              <Figure
                title="Items by status"
                testId="progress-chart"
                summary={`Stacked bars of items per family/task in ${scope}: ${number.format(overall.accepted)} accepted, ${number.format(overall.rejected)} rejected, ${number.format(overall.disputed)} disputed, ${number.format(overall.pending)} pending.`}
                table={
                  <DataTable
                    head={['Family/task', 'Total', 'Pending', 'Accepted', 'Rejected', 'Disputed']}
                    rows={progress.tasks.map((t) => [
                      `${t.family}/${t.task}`,
                      ...[t.total, t.pending, t.accepted, t.rejected, t.disputed].map((n) => number.format(n)),
                    ])}
                  />
                }
              >
                <ProgressChart tasks={progress.tasks} />
              </Figure>
              <Figure
                title="Accept rate (95% CI)"
                testId="accept-rate-chart"
                emptyRows={emptyRows(
                  progress.tasks.filter((t) => !t.acceptRate).map((t) => `${t.family}/${t.task}`),
                  'none of their items is decided yet',
                )}
                summary={`Accept rate per family/task with 95% intervals; overall ${rateWithInterval(overall.acceptRate, 1)}.`}
                table={
                  <DataTable
                    head={['Family/task', 'Decided', 'Accept rate (95% CI)']}
                    rows={progress.tasks.map((t) => [
                      `${t.family}/${t.task}`,
                      number.format(t.accepted + t.rejected),
                      t.acceptRate ? rateWithInterval(t.acceptRate, 1) : 'none decided',
                    ])}
                  />
                }
              >
                <AcceptRateChart tasks={progress.tasks} />
              </Figure>
            </div>
          </Section>

          <Section
            title="Verdicts per day"
            note="Live review verdicts per UTC day over the last 30 days; undone verdicts do not count, nor do gold answers and adjudications."
          >
            <Figure
              title="Review verdicts per day"
              testId="verdicts-chart"
              summary={`Stacked bars of accept, reject and skip verdicts per day from ${days[0].day} to ${days.at(-1)!.day}: ${number.format(verdicts30)} in all.`}
              table={
                <DataTable
                  head={['Day (UTC)', 'Accept', 'Reject', 'Skip']}
                  rows={days.map((d) => [d.day, number.format(d.accept), number.format(d.reject), number.format(d.skip)])}
                />
              }
            >
              <VerdictsChart days={days} />
            </Figure>
          </Section>
        </>
      )}

      <Section
        title="Regeneration and other jobs"
        note={
          <>
            Spend is the actual cost of succeeded jobs. Success rate: succeeded of succeeded + failed (cancelled jobs count as neither).
            {regeneration.padding.candidates > 0 && (
              <>
                {' '}
                Padding check: {number.format(regeneration.padding.failed)} of {number.format(regeneration.padding.checked)} checked
                regenerated images failed, {rateWithInterval(regeneration.padding.failureShare, 1)}.
              </>
            )}
          </>
        }
      >
        {activeKinds.length === 0 ? (
          <EmptyState
            look="inline"
            testId="jobs-empty"
            message="No jobs yet: regenerations and rewrites are asked for on the review page, batches (signals, judge, regeneration) on a dataset’s page."
            action={
              canManage && (
                <Link href={dataset ? `/datasets/${dataset.id}` : '/'} className="text-sky-300 hover:text-sky-200">
                  {dataset ? 'Open the dataset →' : 'Choose a dataset →'}
                </Link>
              )
            }
          />
        ) : (
          <div className="grid gap-4 lg:grid-cols-2">
            <Figure
              title="Spend per job kind"
              testId="spend-chart"
              emptyRows={emptyRows(
                activeKinds.filter((k) => k.spentUsd === 0).map((k) => k.kind),
                'nothing spent (local work costs nothing; a paid job costs once it succeeds)',
              )}
              summary={`Bars of spend per job kind: ${activeKinds.map((k) => `${k.kind} ${usd(k.spentUsd)}`).join(', ')}.`}
              table={
                <DataTable
                  head={['Kind', 'Jobs', 'Succeeded', 'Spent', 'Per success', 'Queued or running']}
                  rows={activeKinds.map((k) => [
                    k.kind,
                    number.format(k.total),
                    number.format(k.byStatus.succeeded),
                    usd(k.spentUsd),
                    usd(k.usdPerSuccess),
                    usd(k.pendingUsd),
                  ])}
                />
              }
            >
              <SpendChart kinds={activeKinds} />
            </Figure>
            <Figure
              title="Success rate per job kind (95% CI)"
              testId="success-chart"
              emptyRows={emptyRows(
                activeKinds.filter((k) => !k.successRate).map((k) => k.kind),
                'no job has finished yet (queued, running or cancelled only)',
              )}
              summary={`Success rate per job kind: ${activeKinds.map((k) => `${k.kind} ${rateWithInterval(k.successRate)}`).join(', ')}.`}
              table={
                <DataTable
                  head={['Kind', 'Queued', 'Running', 'Succeeded', 'Failed', 'Cancelled', 'Success rate (95% CI)']}
                  rows={activeKinds.map((k) => [
                    k.kind,
                    ...(['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const).map((s) => number.format(k.byStatus[s])),
                    rateWithInterval(k.successRate, 1),
                  ])}
                />
              }
            >
              <SuccessChart kinds={activeKinds} />
            </Figure>
          </div>
        )}
      </Section>

      <Section
        title="Audits"
        note="Pass rate of the audited samples, and the population's pass rate with strata weighted by their size (audited strata only), each with its 95% interval."
      >
        {audits.length === 0 ? (
          <EmptyState
            look="inline"
            testId="audits-empty"
            message={`No audit campaigns yet.${canManage ? '' : ' A lead starts them.'}`}
            action={
              canManage && (
                <Link href="/audits" className="text-sky-300 hover:text-sky-200">
                  Start an audit →
                </Link>
              )
            }
          />
        ) : (
          <Figure
            title="Pass rate per campaign (95% CI)"
            testId="audit-chart"
            emptyRows={emptyRows(
              audits.filter((c) => !c.passRate).map((c) => c.name),
              'no sample audited yet',
            )}
            summary={`Pass rates per audit campaign: ${audits.map((c) => `${c.name} ${rateWithInterval(c.weighted)} weighted`).join(', ')}.`}
            table={
              <DataTable
                head={['Campaign', 'Status', 'Audited / sampled', 'Passed', 'Pass rate (95% CI)', 'Weighted (95% CI)']}
                rows={audits.map((c) => [
                  c.name,
                  c.status,
                  `${number.format(c.audited)} / ${number.format(c.sampled)}`,
                  number.format(c.passed),
                  rateWithInterval(c.passRate, 1),
                  rateWithInterval(c.weighted, 1),
                ])}
              />
            }
          >
            <AuditChart campaigns={audits} />
          </Figure>
        )}
      </Section>
    </div>
  );
}
