import Link from 'next/link';
import { notFound } from 'next/navigation';
import { CloseCampaignButton } from '@/components/audit/CloseCampaignButton';
import { date, describeFilter, describeSampling, number, percent, percentRange } from '@/components/audit/format';
import { PassRateChart } from '@/components/audit/PassRateChart';
import { getDb } from '@/db';
import { getCampaign } from '@/lib/audit/campaigns';
import { campaignReport, type MeanScore } from '@/lib/audit/report';
import { RUBRIC } from '@/lib/audit/rubric';
import { POPULATION_LABELS } from '@/lib/audit/spec';
import { requirePage } from '@/lib/auth/page';
import { can } from '@/lib/auth/roles';
import { parseId } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

function Card({ title, value, detail, testId, children }: { title: string; value: string; detail?: React.ReactNode; testId?: string; children?: React.ReactNode }) {
  return (
    <div className="rounded-lg border border-neutral-800 bg-neutral-900/40 p-4" data-testid={testId}>
      <h3 className="text-xs uppercase tracking-wide text-neutral-500">{title}</h3>
      <p className="mt-2 text-3xl font-semibold tabular-nums text-neutral-100">{value}</p>
      {detail && <p className="mt-1 text-sm tabular-nums text-neutral-400">{detail}</p>}
      {children && <p className="mt-3 text-sm text-neutral-400">{children}</p>}
    </div>
  );
}

function Section({ title, note, children }: { title: string; note?: React.ReactNode; children: React.ReactNode }) {
  return (
    <section className="mt-10">
      <h2 className="text-sm font-medium text-neutral-200">{title}</h2>
      {note && <p className="mt-1 text-sm text-neutral-500">{note}</p>}
      <div className="mt-4">{children}</div>
    </section>
  );
}

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
  const link = 'rounded-md border border-neutral-800 px-3 py-1.5 text-sm text-neutral-300 hover:bg-neutral-800';

  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-8">
      <div className="flex flex-wrap items-baseline gap-4">
        <h1 className="text-xl font-semibold text-neutral-100">
          <Link href="/audits" className="text-neutral-400 hover:text-neutral-100">
            Audits
          </Link>{' '}
          <span className="text-neutral-600">/</span> {campaign.name}
        </h1>
        {campaign.status === 'closed' && <span className="rounded bg-neutral-800 px-1.5 py-0.5 text-xs text-neutral-400">closed</span>}
        <div className="ml-auto flex items-center gap-2">
          {campaign.status === 'open' && (
            <Link href={`/audits/${campaign.id}`} className="rounded-md bg-neutral-100 px-3 py-1.5 text-sm font-medium text-neutral-900 hover:bg-white">
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
        {describeFilter(campaign.population) && ` (${describeFilter(campaign.population)})`} · {number.format(campaign.populationSize)} items ·{' '}
        {describeSampling(campaign.sampling)} · seed {campaign.seed} · {campaign.blind ? 'blind' : 'reviewers’ verdicts shown'} · by{' '}
        {campaign.createdBy}, {date(campaign.createdAt)}
      </p>

      <div className="mt-6 flex items-center gap-3 text-sm" data-testid="report-progress">
        <div className="h-1.5 w-64 overflow-hidden rounded-full bg-neutral-800" aria-hidden>
          <div className="h-full bg-neutral-300" style={{ width: `${progress.sampled ? (100 * progress.audited) / progress.sampled : 0}%` }} />
        </div>
        <span className="tabular-nums text-neutral-400">
          <span className="text-neutral-100">{number.format(progress.audited)}</span> / {number.format(progress.sampled)} samples audited
        </span>
      </div>

      <div className="mt-6 grid gap-4 md:grid-cols-3">
        <Card
          title="Pass rate (population)"
          testId="report-overall"
          value={percent(overall.weighted?.estimate)}
          detail={overall.weighted ? `95% CI ${percentRange(overall.weighted)} · n = ${number.format(overall.audited)}` : 'no results yet'}
        >
          Stratum pass rates weighted by stratum size.
          {overall.weighted && overall.coverage < 1 && ` Covers the ${percent(overall.coverage, 0)} of the population in strata audited so far.`}
        </Card>
        <Card
          title="Pass rate (sample)"
          value={percent(overall.unweighted?.estimate)}
          detail={overall.unweighted ? `95% CI ${percentRange(overall.unweighted)} · ${number.format(overall.passes)} of ${number.format(overall.audited)}` : 'no results yet'}
        >
          Passes over audited samples, unweighted.
        </Card>
        <Card
          title="Overturn rate"
          testId="report-overturn"
          value={percent(overturn.rate?.estimate)}
          detail={
            overturn.rate
              ? `95% CI ${percentRange(overturn.rate)} · ${number.format(overturn.failed)} of ${number.format(overturn.accepted)}`
              : 'no audited sample was accepted by reviewers'
          }
        >
          Samples reviewers accepted that the auditor failed.
        </Card>
      </div>

      <Section title="Rubric" note="Mean scores (0–10) with 95% t intervals.">
        <div className="grid gap-4 md:grid-cols-3">
          {RUBRIC.map((scale) => {
            const m = report.rubric[scale.dimension];
            return (
              <Card key={scale.dimension} title={scale.label} value={score(m)} detail={m ? `95% CI ${scoreRange(m)} · n = ${m.n}` : 'no results yet'} testId={`report-rubric-${scale.dimension}`}>
                {scale.question}
              </Card>
            );
          })}
        </div>
      </Section>

      <Section title="Per family and task">
        <PassRateChart strata={chart} overall={overall.weighted && overall.weighted.estimate * 100} />
        <div className="mt-4 overflow-x-auto">
          <table className="w-full text-left text-sm tabular-nums">
            <thead className="text-xs uppercase tracking-wide text-neutral-500">
              <tr className="border-b border-neutral-800">
                <th className="py-2 pr-4 font-normal">Family / task</th>
                <th className="py-2 pr-4 text-right font-normal">Population</th>
                <th className="py-2 pr-4 text-right font-normal">Sampled</th>
                <th className="py-2 pr-4 text-right font-normal">Audited</th>
                <th className="py-2 pr-4 text-right font-normal">Pass rate</th>
                <th className="py-2 pr-4 text-right font-normal">95% CI</th>
                {RUBRIC.map((s) => (
                  <th key={s.dimension} className="py-2 pr-4 text-right font-normal" title={s.label}>
                    {s.label.split(' ')[0]}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {report.strata.map((s) => (
                <tr key={s.stratum} className="border-b border-neutral-800/70" data-testid="report-stratum">
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
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>

      <Section title="Auditors">
        {report.auditors.length === 0 ? (
          <p className="text-sm text-neutral-500">No results yet.</p>
        ) : (
          <table className="w-full max-w-xl text-left text-sm tabular-nums">
            <thead className="text-xs uppercase tracking-wide text-neutral-500">
              <tr className="border-b border-neutral-800">
                <th className="py-2 pr-4 font-normal">Auditor</th>
                <th className="py-2 pr-4 text-right font-normal">Audited</th>
                <th className="py-2 pr-4 text-right font-normal">Passed</th>
                <th className="py-2 pr-4 text-right font-normal">Median time</th>
              </tr>
            </thead>
            <tbody>
              {report.auditors.map((a) => (
                <tr key={a.auditor} className="border-b border-neutral-800/70" data-testid="report-auditor">
                  <td className="py-1.5 pr-4 text-neutral-200">{a.auditor}</td>
                  <td className="py-1.5 pr-4 text-right text-neutral-400">{number.format(a.audited)}</td>
                  <td className="py-1.5 pr-4 text-right text-neutral-400">{percent(a.passes / a.audited)}</td>
                  <td className="py-1.5 pr-4 text-right text-neutral-400">{ms(a.medianMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </div>
  );
}
