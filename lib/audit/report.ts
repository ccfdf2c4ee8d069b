import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { actorNames } from '@/lib/auth/actors';
import { meanInterval } from '@/lib/stats/mean';
import { stratifiedProportion, wilsonInterval } from '@/lib/stats/proportion';
import { DEFAULT_CONFIDENCE, listCampaigns, requireCampaign, type Campaign, type CampaignListRow } from './campaigns';
import { RUBRIC_DIMENSIONS, type RubricDimension } from './spec';

export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

export interface MeanScore {
  mean: number;
  low: number | null;
  high: number | null;
  n: number;
}

export type RubricMeans = Record<RubricDimension, MeanScore | null>;

export interface StratumReport {
  /** "family/task" */
  stratum: string;
  /** Items of the population in the stratum when the sample was drawn. */
  size: number;
  sampled: number;
  audited: number;
  passes: number;
  /** Wilson interval of passes / audited; null before any result. */
  passRate: Interval | null;
  rubric: RubricMeans;
}

export interface CampaignReport {
  campaign: Campaign;
  confidence: number;
  progress: { audited: number; sampled: number };
  strata: StratumReport[];
  overall: {
    audited: number;
    passes: number;
    /**
     * The population pass rate: stratum pass rates weighted by stratum sizes, over the strata
     * audited so far (see stratifiedProportion); null before any result.
     */
    weighted: (Interval & { n: number; nEffective: number }) | null;
    /** Passes / audited as one simple sample (ignores that strata were sampled at different rates). */
    unweighted: Interval | null;
    /** Share of the population in strata with at least one result: what `weighted` speaks for. */
    coverage: number;
  };
  rubric: RubricMeans;
  /** Among audited samples the reviewers had accepted, the share the auditor failed. */
  overturn: { accepted: number; failed: number; rate: Interval | null };
  auditors: { auditor: string; audited: number; passes: number; medianMs: number | null }[];
}

interface ResultRow {
  stratum: string;
  stratum_size: number;
  reviewer_decision: string | null;
  auditor: string | null;
  instruction_following: number | null;
  identity_preservation: number | null;
  visual_quality: number | null;
  pass: number | null;
  ms_spent: number | null;
}

const COLUMN_OF: Record<RubricDimension, 'instruction_following' | 'identity_preservation' | 'visual_quality'> = {
  instructionFollowing: 'instruction_following',
  identityPreservation: 'identity_preservation',
  visualQuality: 'visual_quality',
};

function rubricOf(rows: ResultRow[], confidence: number): RubricMeans {
  const means = {} as RubricMeans;
  for (const dim of RUBRIC_DIMENSIONS) {
    const m = meanInterval(
      rows.map((r) => r[COLUMN_OF[dim]] as number),
      confidence,
    );
    // Scores are bounded: a t interval near 0 or 10 can reach past the scale, which no mean can.
    means[dim] = m && { ...m, low: m.low === null ? null : Math.max(0, m.low), high: m.high === null ? null : Math.min(10, m.high) };
  }
  return means;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * A campaign's figures: per stratum pass rates (Wilson), the population pass rate weighted
 * by stratum sizes and unweighted, mean rubric scores with intervals, the overturn rate of
 * reviewers' accepts, and per-auditor counts. One pass over the campaign's samples (a sample
 * is hundreds to thousands of rows, never the dataset).
 */
export function campaignReport(db: Db, campaignId: number): CampaignReport {
  const campaign = requireCampaign(db, campaignId);
  const confidence = DEFAULT_CONFIDENCE;
  const rows = statement<[number], ResultRow>(
    db,
    `SELECT s.stratum, s.stratum_size, s.reviewer_decision, r.auditor, r.instruction_following, r.identity_preservation,
            r.visual_quality, r.pass, r.ms_spent
     FROM audit_samples s
     LEFT JOIN audit_results r ON r.campaign_id = s.campaign_id AND r.item_id = s.item_id
     WHERE s.campaign_id = ?`,
  ).all(campaignId);
  const audited = rows.filter((r) => r.pass !== null);

  const byStratum = new Map<string, ResultRow[]>();
  for (const row of rows) byStratum.set(row.stratum, [...(byStratum.get(row.stratum) ?? []), row]);
  const strata: StratumReport[] = [...byStratum.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([stratum, all]) => {
      const done = all.filter((r) => r.pass !== null);
      const passes = done.filter((r) => r.pass === 1).length;
      return {
        stratum,
        size: all[0].stratum_size,
        sampled: all.length,
        audited: done.length,
        passes,
        passRate: wilsonInterval(passes, done.length, confidence),
        rubric: rubricOf(done, confidence),
      };
    });

  const passes = audited.filter((r) => r.pass === 1).length;
  const weighted = stratifiedProportion(
    strata.map((s) => ({ size: s.size, successes: s.passes, n: s.audited })),
    confidence,
  );
  const coveredSize = strata.filter((s) => s.audited > 0).reduce((sum, s) => sum + s.size, 0);

  const accepted = audited.filter((r) => r.reviewer_decision === 'accept');
  const overturned = accepted.filter((r) => r.pass === 0).length;

  const byAuditor = new Map<string, ResultRow[]>();
  for (const row of audited) byAuditor.set(row.auditor!, [...(byAuditor.get(row.auditor!) ?? []), row]);
  // Grouped by user id, shown by current username (lib/auth/actors.ts).
  const names = actorNames(db, byAuditor.keys());
  const auditors = [...byAuditor.entries()]
    .map(([auditor, done]) => ({
      auditor: names.get(auditor)!,
      audited: done.length,
      passes: done.filter((r) => r.pass === 1).length,
      medianMs: median(done.flatMap((r) => (r.ms_spent === null ? [] : [r.ms_spent]))),
    }))
    .sort((a, b) => b.audited - a.audited || (a.auditor < b.auditor ? -1 : 1));

  return {
    campaign,
    confidence,
    progress: { audited: audited.length, sampled: rows.length },
    strata,
    overall: {
      audited: audited.length,
      passes,
      weighted: weighted && {
        estimate: weighted.estimate,
        low: weighted.low,
        high: weighted.high,
        n: weighted.n,
        nEffective: weighted.nEffective,
      },
      unweighted: wilsonInterval(passes, audited.length, confidence),
      coverage: campaign.populationSize > 0 ? coveredSize / campaign.populationSize : 0,
    },
    rubric: rubricOf(audited, confidence),
    overturn: { accepted: accepted.length, failed: overturned, rate: wilsonInterval(overturned, accepted.length, confidence) },
    auditors,
  };
}

const CSV_COLUMNS = [
  'stratum',
  'population',
  'sampled',
  'audited',
  'passes',
  'pass_rate',
  'pass_rate_low',
  'pass_rate_high',
  'mean_instruction_following',
  'mean_identity_preservation',
  'mean_visual_quality',
] as const;

/** A CSV cell: numbers to 6 decimals, text quoted when needed and never read as a formula by a spreadsheet. */
function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(6)));
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvRow(
  stratum: string,
  counts: { size: number; sampled: number; audited: number; passes: number },
  rate: Interval | null,
  rubric: RubricMeans,
): string {
  return [
    stratum,
    counts.size,
    counts.sampled,
    counts.audited,
    counts.passes,
    rate?.estimate,
    rate?.low,
    rate?.high,
    rubric.instructionFollowing?.mean,
    rubric.identityPreservation?.mean,
    rubric.visualQuality?.mean,
  ]
    .map(cell)
    .join(',');
}

/**
 * The report as CSV: one row per stratum (Wilson interval of its pass rate), then an
 * `overall` row with the size-weighted pass rate and its interval.
 */
export function reportCsv(report: CampaignReport): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const s of report.strata) lines.push(csvRow(s.stratum, s, s.passRate, s.rubric));
  lines.push(
    csvRow(
      'overall',
      {
        size: report.campaign.populationSize,
        sampled: report.progress.sampled,
        audited: report.overall.audited,
        passes: report.overall.passes,
      },
      report.overall.weighted,
      report.rubric,
    ),
  );
  return lines.join('\n') + '\n';
}

/** A file name for the report's downloads: `audit-<id>-<name>.csv`. */
export function reportFileName(campaign: Campaign, extension: 'csv' | 'json'): string {
  const slug = campaign.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `audit-${campaign.id}${slug ? `-${slug}` : ''}.${extension}`;
}

/** The size-weighted pass rate of a campaign so far (the list page's figure); null before any result. */
export function campaignPassRate(db: Db, campaignId: number): Interval | null {
  const strata = statement<[number], { size: number; n: number; successes: number }>(
    db,
    `SELECT max(s.stratum_size) AS size, count(r.id) AS n, coalesce(sum(r.pass), 0) AS successes
     FROM audit_samples s
     LEFT JOIN audit_results r ON r.campaign_id = s.campaign_id AND r.item_id = s.item_id
     WHERE s.campaign_id = ? GROUP BY s.stratum`,
  ).all(campaignId);
  const weighted = stratifiedProportion(strata, DEFAULT_CONFIDENCE);
  return weighted && { estimate: weighted.estimate, low: weighted.low, high: weighted.high };
}

/** Every campaign, newest first, with its progress and weighted pass rate. */
export function campaignSummaries(db: Db): (CampaignListRow & { passRate: Interval | null })[] {
  return listCampaigns(db).map((c) => ({ ...c, passRate: c.audited > 0 ? campaignPassRate(db, c.id) : null }));
}
