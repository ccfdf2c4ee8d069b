import Link from 'next/link';
import { CampaignForm } from '@/components/audit/CampaignForm';
import { CloseCampaignButton } from '@/components/audit/CloseCampaignButton';
import { EmptyState } from '@/components/ui/EmptyState';
import { Row, Table } from '@/components/ui/Table';
import { date, describeFilter, describeSampling, number, percent, percentRange } from '@/components/audit/format';
import { getDb } from '@/db';
import { campaignSummaries } from '@/lib/audit/report';
import { POPULATION_LABELS } from '@/lib/audit/spec';
import { requirePage } from '@/lib/auth/page';
import { can } from '@/lib/auth/roles';
import { summarizeDatasets } from '@/lib/datasets/summary';

export const dynamic = 'force-dynamic';

export default async function AuditsPage() {
  const user = await requirePage('audit', '/audits');
  const canManage = can(user.roles, 'manage');
  const db = getDb();
  const campaigns = campaignSummaries(db);
  const datasets = canManage
    ? summarizeDatasets(db).map((d) => ({ id: d.id, name: d.name, tasks: d.tasks.map(({ family, task }) => ({ family, task })) }))
    : [];

  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-8">
      <div className="flex flex-wrap items-baseline gap-4">
        <h1 className="text-xl font-semibold text-neutral-100">Audits</h1>
        <p className="text-sm text-neutral-500">
          Spot-checks of a seeded, stratified random sample, scored on a 0–10 rubric. Pass rates come with 95% intervals.
        </p>
      </div>

      {canManage && (
        <div className="mt-6">
          <CampaignForm datasets={datasets} />
        </div>
      )}

      {campaigns.length === 0 ? (
        <EmptyState
          className="mt-8"
          message={`No audit campaigns yet.${canManage ? ' Start one with “New campaign”.' : ' A lead starts them.'}`}
        />
      ) : (
        <div className="mt-8 overflow-x-auto">
          <Table
            columns={[
              { header: 'Campaign', className: 'pr-4' },
              { header: 'Population', className: 'pr-4' },
              { header: 'Progress', className: 'pr-4' },
              { header: 'Pass rate', className: 'pr-4', align: 'right' },
              {},
            ]}
          >
            {campaigns.map((c) => {
              const share = c.sampleSize ? c.audited / c.sampleSize : 0;
              return (
                <Row key={c.id} className="align-top" data-testid="campaign-row" data-campaign-id={c.id}>
                  <td className="py-3 pr-4">
                    <Link
                      href={c.status === 'open' ? `/audits/${c.id}` : `/audits/${c.id}/report`}
                      className="font-medium text-neutral-100 hover:text-white"
                    >
                      {c.name}
                    </Link>
                    <div className="mt-0.5 text-xs text-neutral-500">
                      {c.datasetName} · {c.createdBy} · {date(c.createdAt)}
                      {c.blind && ' · blind'}
                      {c.status === 'closed' && <span className="ml-1 rounded bg-neutral-800 px-1.5 py-0.5 text-neutral-400">closed</span>}
                    </div>
                  </td>
                  <td className="py-3 pr-4 text-neutral-400">
                    <div className="text-neutral-300">{POPULATION_LABELS[c.population.kind]}</div>
                    {describeFilter(c.population) && <div className="text-xs text-neutral-400">{describeFilter(c.population)}</div>}
                    <div className="text-xs text-neutral-500">
                      {number.format(c.populationSize)} items · {describeSampling(c.sampling)} · seed {c.seed}
                    </div>
                  </td>
                  <td className="w-56 py-3 pr-4">
                    <div className="h-1.5 overflow-hidden rounded-full bg-neutral-800" aria-hidden>
                      <div className="h-full bg-neutral-300" style={{ width: `${100 * share}%` }} />
                    </div>
                    <div className="mt-1 text-xs tabular-nums text-neutral-400" data-testid="campaign-progress">
                      {number.format(c.audited)} / {number.format(c.sampleSize)} audited
                    </div>
                  </td>
                  <td className="py-3 pr-4 text-right tabular-nums">
                    <div className="text-neutral-100" data-testid="campaign-pass-rate">
                      {percent(c.passRate?.estimate)}
                    </div>
                    {c.passRate && <div className="text-xs text-neutral-500">95% CI {percentRange(c.passRate)}</div>}
                  </td>
                  <td className="py-3 text-right whitespace-nowrap">
                    <div className="flex justify-end gap-3">
                      {c.status === 'open' && (
                        <Link href={`/audits/${c.id}`} className="text-neutral-300 hover:text-white">
                          Audit
                        </Link>
                      )}
                      <Link href={`/audits/${c.id}/report`} className="text-neutral-300 hover:text-white">
                        Report
                      </Link>
                      {canManage && c.status === 'open' && <CloseCampaignButton campaignId={c.id} name={c.name} />}
                    </div>
                  </td>
                </Row>
              );
            })}
          </Table>
        </div>
      )}
    </div>
  );
}
