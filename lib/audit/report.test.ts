import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { cleanupTemp, tempDb } from '@/lib/test/factories';
import { createCampaign, type Campaign } from './campaigns';
import { campaignPassRate, campaignReport, campaignSummaries, reportCsv, reportFileName } from './report';
import { decideAll, idsOf, stratifiedDataset } from '@/lib/test/audit';
import { recordResult } from './work';

let db: Db;
let datasetId: number;
let campaign: Campaign;

const samplesIn = (stratum: string) =>
  db.$client
    .prepare('SELECT item_id FROM audit_samples WHERE campaign_id = ? AND stratum = ? ORDER BY item_id')
    .pluck()
    .all(campaign.id, stratum) as number[];

/*
 * Population: omniedit/style 40 items, omniedit/removal 15 (all accepted by a reviewer),
 * hqedit/edit 5 (all rejected); 4 sampled from each. The auditors pass 3/4, 2/4 and 4/4.
 */
beforeEach(async () => {
  db = tempDb().db;
  datasetId = await stratifiedDataset(db, { 'omniedit/style': 40, 'omniedit/removal': 15, 'hqedit/edit': 5 });
  decideAll(db, datasetId, idsOf(db, datasetId, 'omniedit', 'removal'), 'accept');
  decideAll(db, datasetId, idsOf(db, datasetId, 'hqedit', 'edit'), 'reject');
  campaign = createCampaign(db, {
    name: 'Regenerations, March',
    datasetId,
    population: { kind: 'filter' },
    sampling: { mode: 'fixed', perStratum: 4 },
    seed: 11,
    createdBy: 'lee',
  });
});
afterEach(cleanupTemp);

function auditAll() {
  const plan: Record<string, { pass: boolean[]; visual: number[]; auditor: string }> = {
    'omniedit/style': { pass: [true, true, true, false], visual: [2, 4, 6, 8], auditor: 'ann' },
    'omniedit/removal': { pass: [true, true, false, false], visual: [5, 5, 5, 5], auditor: 'ann' },
    'hqedit/edit': { pass: [true, true, true, true], visual: [5, 5, 5, 5], auditor: 'bo' },
  };
  let k = 0;
  for (const [stratum, { pass, visual, auditor }] of Object.entries(plan)) {
    samplesIn(stratum).forEach((itemId, i) => {
      // Instruction following alternates 6 and 8 (mean 7); identity preservation is always 7.
      recordResult(db, campaign.id, itemId, auditor, {
        instructionFollowing: k++ % 2 ? 8 : 6,
        identityPreservation: 7,
        visualQuality: visual[i],
        pass: pass[i],
        msSpent: 1000 * (i + 1),
      });
    });
  }
}

describe('campaign report', () => {
  it('before any result: counts, no rates', () => {
    const report = campaignReport(db, campaign.id);
    expect(report.progress).toEqual({ audited: 0, sampled: 12 });
    expect(report.strata.map((s) => [s.stratum, s.size, s.sampled, s.audited, s.passRate])).toEqual([
      ['hqedit/edit', 5, 4, 0, null],
      ['omniedit/removal', 15, 4, 0, null],
      ['omniedit/style', 40, 4, 0, null],
    ]);
    expect(report.overall).toMatchObject({ weighted: null, unweighted: null, coverage: 0 });
    expect(report.rubric.visualQuality).toBeNull();
    expect(report.overturn).toEqual({ accepted: 0, failed: 0, rate: null });
  });

  it('per-stratum Wilson intervals, the size-weighted pass rate, rubric means, overturns and auditors (hand-checked)', () => {
    auditAll();
    const report = campaignReport(db, campaign.id);
    expect(report.progress).toEqual({ audited: 12, sampled: 12 });
    const [edit, removal, style] = report.strata;
    expect([edit.passes, removal.passes, style.passes]).toEqual([4, 2, 3]);
    // Wilson 95% for 3/4: 0.3006 – 0.9544; 2/4: 0.1500 – 0.8500; 4/4: 0.5101 – 1.
    expect(style.passRate!.estimate).toBe(0.75);
    expect(style.passRate!.low).toBeCloseTo(0.300642, 5);
    expect(style.passRate!.high).toBeCloseTo(0.954413, 5);
    expect(removal.passRate!.low).toBeCloseTo(0.150039, 5);
    expect(removal.passRate!.high).toBeCloseTo(0.849961, 5);
    expect(edit.passRate!.low).toBeCloseTo(0.510109, 5);
    expect(edit.passRate!.high).toBe(1);

    // Weighted: (40·0.75 + 15·0.5 + 5·1) / 60 = 0.708333. Variance Σ W²(1 − n/N)p(1 − p)/n = 0.0216146,
    // effective n = p(1 − p)/Var = 9.5582, Wilson at that n: 0.398019 – 0.899197.
    const { weighted, unweighted } = report.overall;
    expect(weighted!.estimate).toBeCloseTo(0.708333, 6);
    expect(weighted!.nEffective).toBeCloseTo(9.558233, 5);
    expect(weighted!.low).toBeCloseTo(0.398019, 5);
    expect(weighted!.high).toBeCloseTo(0.899197, 5);
    expect(weighted!.n).toBe(12);
    // Unweighted: 9/12, Wilson 0.467695 – 0.911058.
    expect(unweighted!.estimate).toBe(0.75);
    expect(unweighted!.low).toBeCloseTo(0.467695, 5);
    expect(unweighted!.high).toBeCloseTo(0.911058, 5);
    expect(report.overall.coverage).toBe(1);

    // Student t means: instruction following 7 ± 2.200985 · 1.044466 / √12 = 6.336378 – 7.663622;
    // visual quality 5 ± 0.856732; identity preservation 7 with no spread.
    expect(report.rubric.instructionFollowing).toMatchObject({ mean: 7, n: 12 });
    expect(report.rubric.instructionFollowing!.low).toBeCloseTo(6.336378, 5);
    expect(report.rubric.instructionFollowing!.high).toBeCloseTo(7.663622, 5);
    expect(report.rubric.visualQuality!.low).toBeCloseTo(4.143268, 5);
    expect(report.rubric.visualQuality!.high).toBeCloseTo(5.856732, 5);
    expect(report.rubric.identityPreservation).toEqual({ mean: 7, low: 7, high: 7, n: 12 });
    expect(style.rubric.visualQuality!.mean).toBe(5);
    // Every interval stays on the 0-10 scale.
    for (const s of report.strata) {
      for (const m of Object.values(s.rubric)) expect(m!.low! >= 0 && m!.high! <= 10).toBe(true);
    }

    // Reviewers accepted the 4 removal samples; the auditor failed 2 of them. Rejected ones do not count.
    expect(report.overturn.accepted).toBe(4);
    expect(report.overturn.failed).toBe(2);
    expect(report.overturn.rate!.estimate).toBe(0.5);
    expect(report.overturn.rate!.low).toBeCloseTo(0.150039, 5);

    // The list page's figure is the same weighted rate.
    expect(campaignPassRate(db, campaign.id)).toEqual({ estimate: weighted!.estimate, low: weighted!.low, high: weighted!.high });
    expect(campaignSummaries(db)).toMatchObject([{ id: campaign.id, audited: 12, passes: 9, passRate: { estimate: weighted!.estimate } }]);

    expect(report.auditors).toEqual([
      { auditor: 'ann', audited: 8, passes: 5, medianMs: 2500 },
      { auditor: 'bo', audited: 4, passes: 4, medianMs: 2500 },
    ]);
  });

  it('weights only the strata audited so far, and says how much of the population they cover', () => {
    for (const itemId of samplesIn('omniedit/style').slice(0, 2)) {
      recordResult(db, campaign.id, itemId, 'ann', { instructionFollowing: 5, identityPreservation: 5, visualQuality: 5, pass: true });
    }
    const report = campaignReport(db, campaign.id);
    expect(report.overall.coverage).toBeCloseTo(40 / 60, 10);
    expect(report.overall.weighted!.estimate).toBe(1);
    expect(report.strata.find((s) => s.stratum === 'omniedit/style')).toMatchObject({ sampled: 4, audited: 2, passes: 2 });
    expect(report.rubric.visualQuality).toEqual({ mean: 5, low: 5, high: 5, n: 2 });
  });

  it('cuts rubric intervals at the ends of the 0-10 scale', () => {
    const ids = samplesIn('omniedit/style');
    [10, 10, 10, 7].forEach((visualQuality, i) =>
      recordResult(db, campaign.id, ids[i], 'ann', { instructionFollowing: 0, identityPreservation: 1, visualQuality, pass: true }),
    );
    const { rubric } = campaignReport(db, campaign.id);
    // Visual quality 9.25 ± 3.182 · 1.5 / 2 would reach 11.64: shown as ending at 10.
    expect(rubric.visualQuality!.mean).toBe(9.25);
    expect(rubric.visualQuality!.high).toBe(10);
    expect(rubric.visualQuality!.low).toBeCloseTo(9.25 - 2.386, 2);
    expect(rubric.instructionFollowing).toEqual({ mean: 0, low: 0, high: 0, n: 4 });
  });

  it('CSV: a header, one row per stratum, an overall row with the weighted rate', () => {
    auditAll();
    const lines = reportCsv(campaignReport(db, campaign.id)).trimEnd().split('\n');
    expect(lines).toEqual([
      'stratum,population,sampled,audited,passes,pass_rate,pass_rate_low,pass_rate_high,mean_instruction_following,mean_identity_preservation,mean_visual_quality',
      'hqedit/edit,5,4,4,4,1,0.510109,1,7,7,5',
      'omniedit/removal,15,4,4,2,0.5,0.150039,0.849961,7,7,5',
      'omniedit/style,40,4,4,3,0.75,0.300642,0.954413,7,7,5',
      'overall,60,12,12,9,0.708333,0.398019,0.899197,7,7,5',
    ]);
    expect(reportFileName(campaign, 'csv')).toBe(`audit-${campaign.id}-regenerations-march.csv`);
  });

  it('CSV cells: rates left empty before results; awkward text quoted and kept from being read as a formula', () => {
    const report = campaignReport(db, campaign.id);
    report.strata[0].stratum = '=HYPERLINK("x"),1';
    const lines = reportCsv(report).trimEnd().split('\n');
    expect(lines[1]).toBe(`"'=HYPERLINK(""x""),1",5,4,0,0,,,,,,`);
    expect(lines.at(-1)).toBe('overall,60,12,0,0,,,,,,');
  });
});
