import Link from 'next/link';
import { notFound } from 'next/navigation';
import { CloseCampaignButton } from '@/components/audit/CloseCampaignButton';
import { date, describeFilter, describeSampling, number, percent, percentRange } from '@/components/audit/format';
import { PassRateChart } from '@/components/audit/PassRateChart';
import { buttonClass } from '@/components/ui/Button';
import { EmptyState } from '@/components/ui/EmptyState';
import { Section } from '@/components/ui/Section';
import { Stat } from '@/components/ui/Stat';
import { Row, Table } from '@/components/ui/Table';
import { getDb } from '@/db';
import { getCampaign } from '@/lib/audit/campaigns';
import { campaignReport, type MeanScore } from '@/lib/audit/report';
import { RUBRIC } from '@/lib/audit/rubric';
import { POPULATION_LABELS } from '@/lib/audit/spec';
import { requirePage } from '@/lib/auth/page';
import { can } from '@/lib/auth/roles';
import { parseId } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

const score = (m: MeanScore | null) => (m ? m.mean.toFixed(1) : '–');
const scoreRange = (m: MeanScore | null) => (m && m.low !== null && m.high !== null ? `${m.low.toFixed(1)} – ${m.high.toFixed(1)}` : '–');
const ms = (value: number | null) => (value === null ? '–' : `${(value / 1000).toFixed(1)} s`);

export default async function AuditReportPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requirePage('audit', `/audits/${encodeURIComponent(id)}/report`);
  const db = getDb();
  const campaignId = parseId(id) ?? 0;
  if (!Number.isInteger(campaignId) || campaignId <= 0 || !getCampaign(db, campaignId)) notFound();
  const report = campaignReport(db, campaignId);
  const { campaign, overall, overturn, progress } = report;
  const canManage = can(user.roles, 'manage');
  const chart = report.strata.map((s) => ({
    stratum: s.stratum,
    audited: s.audited,
    rate: s.passRate && s.passRate.estimate * 100,
    low: s.passRate && s.passRate.low * 100,
    high: s.passRate && s.passRate.high * 100,
  }));
  const link = buttonClass({ size: 'md' });

  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-8">
      <div className="flex flex-wrap items-baseline gap-4">
        <h1 className="text-xl font-semibold text-neutral-100">
          <Link href="/audits" className="text-neutral-400 underline underline-offset-4 hover:text-neutral-100">
            Audits
          </Link>{' '}
          <span className="text-neutral-500">/</span> {campaign.name}
        </h1>
        {campaign.status === 'closed' && <span className="rounded bg-neutral-800 px-1.5 py-0.5 text-xs text-neutral-400">closed</span>}
        <div className="ml-auto flex items-center gap-2">
          {campaign.status === 'open' && (
            <Link href={`/audits/${campaign.id}`} className={buttonClass({ variant: 'primary', size: 'md' })}>
              Audit
            </Link>
          )}
          <a href={`/api/audits/${campaign.id}/report?format=csv`} className={link} data-testid="download-csv" download>
            CSV
          </a>
          <a href={`/api/audits/${campaign.id}/report?format=json`} className={link} data-testid="download-json" download>
            JSON
          </a>
          {canManage && campaign.status === 'open' && (
            <span className="px-2 text-sm">
              <CloseCampaignButton campaignId={campaign.id} name={campaign.name} />
            </span>
          )}
        </div>
      </div>
      <p className="mt-2 text-sm text-neutral-400">
        {campaign.datasetName} · {POPULATION_LABELS[campaign.population.kind]}
        {describeFilter(campaign.population) && ` (${describeFilter(campaign.population)})`} · {number.format(campaign.populationSize)}{' '}
        items · {describeSampling(campaign.sampling)} · seed {campaign.seed} · {campaign.blind ? 'blind' : 'reviewers’ verdicts shown'} · by{' '}
        {campaign.createdBy}, {date(campaign.createdAt)}
      </p>

      <div className="mt-6 flex items-center gap-3 text-sm" data-testid="report-progress">
        <div className="h-1.5 w-64 overflow-hidden rounded-full bg-neutral-800" aria-hidden>
          <div
            className="h-full bg-neutral-300"
            style={{ width: `${progress.sampled ? (100 * progress.audited) / progress.sampled : 0}%` }}
          />
        </div>
        <span className="tabular-nums text-neutral-400">
          <span className="text-neutral-100">{number.format(progress.audited)}</span> / {number.format(progress.sampled)} samples audited
        </span>
      </div>

      <div className="mt-6 grid gap-4 md:grid-cols-3">
        <Stat
          size="lg"
          label="Pass rate (population)"
          testId="report-overall"
          value={percent(overall.weighted?.estimate)}
          note={overall.weighted ? `95% CI ${percentRange(overall.weighted)} · n = ${number.format(overall.audited)}` : 'no results yet'}
        >
          Stratum pass rates weighted by stratum size.
          {overall.weighted &&
            overall.coverage < 1 &&
            ` Covers the ${percent(overall.coverage, 0)} of the population in strata audited so far.`}
        </Stat>
        <Stat
          size="lg"
          label="Pass rate (sample)"
          value={percent(overall.unweighted?.estimate)}
          note={
            overall.unweighted
              ? `95% CI ${percentRange(overall.unweighted)} · ${number.format(overall.passes)} of ${number.format(overall.audited)}`
              : 'no results yet'
          }
        >
          Passes over audited samples, unweighted.
        </Stat>
        <Stat
          size="lg"
          label="Overturn rate"
          testId="report-overturn"
          value={percent(overturn.rate?.estimate)}
          note={
            overturn.rate
              ? `95% CI ${percentRange(overturn.rate)} · ${number.format(overturn.failed)} of ${number.format(overturn.accepted)}`
              : 'no audited sample was accepted by reviewers'
          }
        >
          Samples reviewers accepted that the auditor failed.
        </Stat>
      </div>

      <Section title="Rubric" note="Mean scores (0–10) with 95% t intervals.">
        <div className="grid gap-4 md:grid-cols-3">
          {RUBRIC.map((scale) => {
            const m = report.rubric[scale.dimension];
            return (
              <Stat
                size="lg"
                key={scale.dimension}
                label={scale.label}
                value={score(m)}
                note={m ? `95% CI ${scoreRange(m)} · n = ${m.n}` : 'no results yet'}
                testId={`report-rubric-${scale.dimension}`}
              >
                {scale.question}
              </Stat>
            );
          })}
        </div>
      </Section>

      <Section title="Per family and task">
        <PassRateChart strata={chart} overall={overall.weighted && overall.weighted.estimate * 100} />
        <div className="mt-4 overflow-x-auto">
          <Table
            className="tabular-nums"
            columns={[
              { header: 'Family / task', className: 'pr-4' },
              ...['Population', 'Sampled', 'Audited', 'Pass rate', '95% CI'].map((header) => ({
                header,
                className: 'pr-4',
                align: 'right' as const,
              })),
              ...RUBRIC.map((s) => ({ header: s.label.split(' ')[0], title: s.label, className: 'pr-4', align: 'right' as const })),
            ]}
          >
            {report.strata.map((s) => (
              <Row key={s.stratum} data-testid="report-stratum">
                <td className="py-1.5 pr-4 text-neutral-200">{s.stratum}</td>
                <td className="py-1.5 pr-4 text-right text-neutral-400">{number.format(s.size)}</td>
                <td className="py-1.5 pr-4 text-right text-neutral-400">{number.format(s.sampled)}</td>
                <td className="py-1.5 pr-4 text-right text-neutral-400">{number.format(s.audited)}</td>
                <td className="py-1.5 pr-4 text-right text-neutral-100">{percent(s.passRate?.estimate)}</td>
                <td className="py-1.5 pr-4 text-right text-neutral-500">{percentRange(s.passRate)}</td>
                {RUBRIC.map((scale) => (
                  <td key={scale.dimension} className="py-1.5 pr-4 text-right text-neutral-400">
                    {score(s.rubric[scale.dimension])}
                  </td>
                ))}
              </Row>
            ))}
          </Table>
        </div>
      </Section>

      <Section title="Auditors">
        {report.auditors.length === 0 ? (
          <EmptyState look="inline" message="No results yet." />
        ) : (
          <Table
            className="max-w-xl tabular-nums"
            columns={[
              { header: 'Auditor', className: 'pr-4' },
              ...['Audited', 'Passed', 'Median time'].map((header) => ({ header, className: 'pr-4', align: 'right' as const })),
            ]}
          >
            {report.auditors.map((a) => (
              <Row key={a.auditor} data-testid="report-auditor">
                <td className="py-1.5 pr-4 text-neutral-200">{a.auditor}</td>
                <td className="py-1.5 pr-4 text-right text-neutral-400">{number.format(a.audited)}</td>
                <td className="py-1.5 pr-4 text-right text-neutral-400">{percent(a.passes / a.audited)}</td>
                <td className="py-1.5 pr-4 text-right text-neutral-400">{ms(a.medianMs)}</td>
              </Row>
            ))}
          </Table>
        )}
      </Section>
    </div>
  );
}
