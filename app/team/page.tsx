import Link from 'next/link';
import { AgreementCards } from '@/components/team/AgreementCards';
import { AnnotatorCharts } from '@/components/team/AnnotatorCharts';
import { AnnotatorTable } from '@/components/team/AnnotatorTable';
import { number, percent } from '@/components/team/format';
import { LeasesPanel } from '@/components/team/LeasesPanel';
import { PairwiseMatrix } from '@/components/team/PairwiseMatrix';
import { ReviewSettingsForm } from '@/components/team/ReviewSettingsForm';
import { Button } from '@/components/ui/Button';
import { EmptyState } from '@/components/ui/EmptyState';
import { Section } from '@/components/ui/Section';
import { Select } from '@/components/ui/Select';
import { getDb } from '@/db';
import { requirePage } from '@/lib/auth/page';
import { can } from '@/lib/auth/roles';
import { listDatasets } from '@/lib/datasets';
import { annotatorView, teamStatsOffThread } from '@/lib/team/stats';
import { parseId } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

type Search = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) || undefined;

const HOUR = 3_600_000;
/** Time windows offered; `since` is rounded down to the hour so reloads share cached figures. */
const WINDOWS = [
  { value: 'all', label: 'All time', ms: undefined },
  { value: '24h', label: 'Last 24 hours', ms: 24 * HOUR },
  { value: '7d', label: 'Last 7 days', ms: 7 * 24 * HOUR },
  { value: '30d', label: 'Last 30 days', ms: 30 * 24 * HOUR },
] as const;

export default async function TeamPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requirePage('view', '/team');
  const isLead = can(user.roles, 'adjudicate');
  const canManage = can(user.roles, 'manage');
  // Admins and auditors give no verdicts: they see the team's figures, without an empty "your figures" section.
  const canReview = can(user.roles, 'review');
  const db = getDb();
  const datasets = listDatasets(db);
  const search = await searchParams;
  const requested = parseId(first(search.dataset));
  const dataset = datasets.find((d) => d.id === requested) ?? datasets[0];
  const period = WINDOWS.find((w) => w.value === first(search.window)) ?? WINDOWS[0];
  const since = period.ms === undefined ? undefined : Math.floor((Date.now() - period.ms) / HOUR) * HOUR;

  if (!dataset) {
    return (
      <div className="mx-auto w-full max-w-6xl px-6 py-8">
        <h1 className="text-xl font-semibold text-neutral-100">Team</h1>
        <EmptyState className="mt-6" message="No datasets yet, so no verdicts to measure." />
      </div>
    );
  }

  // Computed on the offload worker: the page never holds the server's thread for the statistics.
  const all = (await teamStatsOffThread(db, { datasetId: dataset.id, since }))!;
  const stats = isLead ? all : annotatorView(all, user.id);
  const { counts } = stats;
  const total = counts.pending + counts.accepted + counts.rejected + counts.disputed;
  const ageSeconds = Math.round((Date.now() - stats.asOf) / 1000);

  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-8">
      <div className="flex flex-wrap items-baseline gap-4">
        <h1 className="text-xl font-semibold text-neutral-100">Team</h1>
        <form method="get" className="ml-auto flex items-center gap-3 text-sm">
          <Select name="dataset" defaultValue={dataset.id} aria-label="Dataset">
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </Select>
          <Select name="window" defaultValue={period.value} aria-label="Verdicts given in">
            {WINDOWS.map((w) => (
              <option key={w.value} value={w.value}>
                {w.label}
              </option>
            ))}
          </Select>
          <Button type="submit">Show</Button>
        </form>
      </div>
      <p className="mt-2 text-sm tabular-nums text-neutral-400">
        <Link href={`/datasets/${dataset.id}`} className="text-neutral-200 underline underline-offset-2 hover:text-white">
          {dataset.name}
        </Link>{' '}
        · {number.format(total)} items: {number.format(counts.pending)} pending ·{' '}
        <span className="text-emerald-400">{number.format(counts.accepted)}</span> accepted ·{' '}
        <span className="text-rose-400">{number.format(counts.rejected)}</span> rejected ·{' '}
        <span className="text-amber-300">{number.format(counts.disputed)}</span> disputed · {number.format(stats.goldItems)} gold · overlap{' '}
        {stats.dataset.overlap} · gold rate {percent(stats.dataset.goldRate, 1)}
        {ageSeconds > 1 && <span className="text-neutral-500"> · figures from {ageSeconds} s ago</span>}
      </p>

      <Section title="Agreement" note={period.ms ? `Verdicts given in the ${period.label.toLowerCase()}.` : undefined}>
        <AgreementCards agreement={stats.agreement} overlap={stats.dataset.overlap} canSetOverlap={canManage} />
      </Section>

      {isLead && (
        <Section title="Pairwise agreement">
          {stats.dataset.overlap < 2 && stats.agreement.pairedItems === 0 ? (
            <EmptyState look="inline" message="No pairs to compare until items get two verdicts (overlap 2 or more)." />
          ) : (
            <PairwiseMatrix pairs={stats.agreement.pairs} />
          )}
        </Section>
      )}

      {(isLead || canReview) && (
        <Section
          title="Annotators"
          note={
            isLead
              ? undefined
              : 'Your own figures. Leads see everyone’s, with pairwise agreement; the team figures above are over everyone’s verdicts.'
          }
        >
          {stats.annotators.length === 0 ? (
            <EmptyState
              look="inline"
              message={isLead ? 'No verdicts in this window yet.' : 'You have no verdicts on this dataset in this window yet.'}
            />
          ) : (
            <>
              <AnnotatorTable annotators={stats.annotators} />
              {isLead && (
                <div className="mt-6">
                  <AnnotatorCharts annotators={stats.annotators} />
                </div>
              )}
            </>
          )}
        </Section>
      )}

      {isLead && (
        <Section title="Current leases" note="Items reviewers hold open now.">
          <LeasesPanel datasetId={dataset.id} />
        </Section>
      )}

      {canManage && (
        <div id="review-settings" className="scroll-mt-16">
          <Section title="Review settings">
            <ReviewSettingsForm
              key={dataset.id}
              datasetId={dataset.id}
              initial={{ overlap: stats.dataset.overlap, goldRate: stats.dataset.goldRate }}
            />
          </Section>
        </div>
      )}
    </div>
  );
}
