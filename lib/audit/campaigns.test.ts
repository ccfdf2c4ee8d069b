import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { listFilterSchema } from '@/lib/filter/filter';
import { sampleSizeForMargin } from '@/lib/stats/proportion';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import {
  closeCampaign,
  createCampaign,
  getCampaign,
  listCampaigns,
  previewCampaign,
  stratumHash,
  populationScanQuery,
  stratumIdsQuery,
  type CampaignSpec,
} from './campaigns';
import { decideAll, idsOf, makeRegenerated, stratifiedDataset } from '@/lib/test/audit';

let db: Db;
afterEach(cleanupTemp);

interface SampleRow {
  item_id: number;
  candidate_id: number;
  stratum: string;
  stratum_size: number;
  position: number;
  reviewer_decision: string | null;
}
const samplesOf = (campaignId: number) =>
  db.$client.prepare('SELECT * FROM audit_samples WHERE campaign_id = ? ORDER BY position').all(campaignId) as SampleRow[];
const orderOf = (campaignId: number) => samplesOf(campaignId).map((s) => s.item_id);
const countBy = (rows: SampleRow[]) =>
  Object.fromEntries([...new Set(rows.map((r) => r.stratum))].map((s) => [s, rows.filter((r) => r.stratum === s).length]));

const SIZES = { 'omniedit/style': 40, 'omniedit/removal': 15, 'hqedit/edit': 5 };

describe('sampling a stratified population', () => {
  let datasetId: number;
  const spec = (over: Partial<CampaignSpec> = {}): CampaignSpec => ({
    name: 'spot check',
    datasetId,
    population: { kind: 'filter' },
    sampling: { mode: 'fixed', perStratum: 4 },
    seed: 7,
    createdBy: 'lee',
    ...over,
  });

  beforeEach(async () => {
    db = tempDb().db;
    datasetId = await stratifiedDataset(db, SIZES);
  });

  it('draws the same items in the same order from the same seed, and others from another seed', () => {
    const a = createCampaign(db, spec());
    const b = createCampaign(db, spec());
    const c = createCampaign(db, spec({ seed: 8 }));
    expect(orderOf(a.id)).toHaveLength(12);
    expect(orderOf(b.id)).toEqual(orderOf(a.id));
    expect(samplesOf(b.id).map(({ stratum, position }) => [stratum, position])).toEqual(
      samplesOf(a.id).map(({ stratum, position }) => [stratum, position]),
    );
    // Another seed: other items (the 5-item stratum aside, which is taken whole at 5 of 5 only with perStratum >= 5).
    expect(new Set(orderOf(c.id))).not.toEqual(new Set(orderOf(a.id)));
    expect(orderOf(c.id)).not.toEqual(orderOf(a.id));
  });

  it('mixes the strata in one random audit order, positions 0..n-1', () => {
    const campaign = createCampaign(db, spec());
    const rows = samplesOf(campaign.id);
    expect(rows.map((r) => r.position)).toEqual([...Array(12).keys()]);
    // Not grouped by stratum: the first four are not all one stratum (fixed seed, checked once).
    expect(new Set(rows.slice(0, 4).map((r) => r.stratum)).size).toBeGreaterThan(1);
  });

  it('takes perStratum items from each stratum, capped at its size, each from its own stratum', () => {
    const four = createCampaign(db, spec());
    expect(countBy(samplesOf(four.id))).toEqual({ 'omniedit/style': 4, 'omniedit/removal': 4, 'hqedit/edit': 4 });
    const ten = createCampaign(db, spec({ sampling: { mode: 'fixed', perStratum: 10 } }));
    const rows = samplesOf(ten.id);
    expect(countBy(rows)).toEqual({ 'omniedit/style': 10, 'omniedit/removal': 10, 'hqedit/edit': 5 });
    expect(ten).toMatchObject({ populationSize: 60, sampleSize: 25 });
    for (const row of rows) {
      const [family, task] = row.stratum.split('/');
      expect(idsOf(db, datasetId, family, task)).toContain(row.item_id);
      expect(row.stratum_size).toBe(SIZES[row.stratum as keyof typeof SIZES]);
    }
    expect(new Set(rows.map((r) => r.item_id)).size).toBe(25);
    // A stratum taken whole is the whole stratum.
    expect(
      rows
        .filter((r) => r.stratum === 'hqedit/edit')
        .map((r) => r.item_id)
        .sort((x, y) => x - y),
    ).toEqual(idsOf(db, datasetId, 'hqedit', 'edit'));
  });

  it('sizes each stratum for a margin of error with the finite population correction', () => {
    const preview = previewCampaign(db, { datasetId, population: { kind: 'filter' }, sampling: { mode: 'margin', margin: 0.1 } });
    // n0 = 1.96² · 0.25 / 0.1² = 96.04; n = n0 / (1 + (n0 - 1) / N), rounded up.
    expect(preview.strata.map((s) => [s.stratum, s.size, s.sample])).toEqual([
      ['hqedit/edit', 5, 5],
      ['omniedit/removal', 15, 14],
      ['omniedit/style', 40, 29],
    ]);
    for (const s of preview.strata) expect(s.sample).toBe(sampleSizeForMargin(0.1, { population: s.size }));
    expect(preview).toMatchObject({ populationSize: 60, sampleSize: 48 });

    const campaign = createCampaign(db, spec({ sampling: { mode: 'margin', margin: 0.1 } }));
    expect(countBy(samplesOf(campaign.id))).toEqual({ 'hqedit/edit': 5, 'omniedit/removal': 14, 'omniedit/style': 29 });
    expect(campaign.sampling).toEqual({ mode: 'margin', margin: 0.1, confidence: 0.95 });
  });

  it('previews exactly what it then creates', () => {
    const preview = previewCampaign(db, { datasetId, population: { kind: 'filter' }, sampling: { mode: 'fixed', perStratum: 6 } });
    const campaign = createCampaign(db, spec({ sampling: { mode: 'fixed', perStratum: 6 } }));
    expect(countBy(samplesOf(campaign.id))).toEqual(Object.fromEntries(preview.strata.map((s) => [s.stratum, s.sample])));
    expect(campaign).toMatchObject({ populationSize: preview.populationSize, sampleSize: preview.sampleSize });
  });

  it('draws and stores a random seed when none is given; that seed reproduces the sample', () => {
    const first = createCampaign(db, spec({ seed: undefined }));
    expect(Number.isInteger(first.seed)).toBe(true);
    expect(first.seed).toBeGreaterThanOrEqual(0);
    expect(first.seed).toBeLessThan(2 ** 32);
    const again = createCampaign(db, spec({ seed: first.seed }));
    expect(orderOf(again.id)).toEqual(orderOf(first.id));
  });

  it('narrows the population with filter terms', () => {
    const campaign = createCampaign(db, spec({ population: { kind: 'filter', filter: { family: 'omniedit' } } }));
    expect(Object.keys(countBy(samplesOf(campaign.id))).sort()).toEqual(['omniedit/removal', 'omniedit/style']);
    expect(campaign.populationSize).toBe(55);
    expect(campaign.population).toEqual({ kind: 'filter', filter: { family: 'omniedit' } });
  });

  it('refuses an empty population, a bad filter and an unknown dataset with clear messages', () => {
    expect(() => createCampaign(db, spec({ population: { kind: 'accepted' } }))).toThrow(/population is empty/);
    expect(() => createCampaign(db, spec({ population: { kind: 'filter', filter: { task: 'style' } } }))).toThrow(
      /invalid population filter: task: a task filter needs its family/,
    );
    expect(() => createCampaign(db, spec({ datasetId: 999 }))).toThrow(/dataset 999 not found/);
    expect(() => createCampaign(db, spec({ sampling: { mode: 'fixed', perStratum: 10 } }), 20)).toThrow(
      /a sample of 25 items is too large \(at most 20\)/,
    );
    expect(listCampaigns(db)).toEqual([]);
  });

  it('reads each stratum in id order through a queue index: no table scan, no sort', () => {
    const shapes = [{}, { status: 'accepted' }, { instructionType: 'original' }, { status: 'accepted', instructionType: 'original' }];
    for (const terms of shapes) {
      const filter = listFilterSchema.parse({ datasetId, ...terms });
      const { sql, params } = stratumIdsQuery(filter, 'omniedit', 'style');
      const plan = (db.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
      expect(plan.join('\n')).toMatch(
        /SEARCH items USING (COVERING )?INDEX items_(queue|queue_type|dataset_order|dataset_type_order) \(dataset_id=\?/,
      );
      expect(plan.join('\n')).not.toContain('TEMP B-TREE');
    }
  });

  it('draws a population with row terms (origin, text, ...) in one pass over the table in rowid order: no sort', () => {
    for (const terms of [{ origin: 'regenerated' }, { text: 'edit' }, { status: 'accepted', origin: 'regenerated' }]) {
      const { sql, params } = populationScanQuery(listFilterSchema.parse({ datasetId, ...terms }));
      const plan = (db.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('\n');
      expect(plan).toMatch(/^(SCAN items|SEARCH items USING INTEGER PRIMARY KEY)/);
      expect(plan).not.toContain('TEMP B-TREE');
    }
  });

  it('draws the same way whichever way the population is read', () => {
    // Every item's current candidate regenerated: 'regenerated' is the whole dataset, read by a scan.
    const all = db.$client.prepare('SELECT id FROM items WHERE dataset_id = ?').pluck().all(datasetId) as number[];
    for (const id of all) makeRegenerated(db, id);
    const scanned = createCampaign(db, spec({ population: { kind: 'regenerated' } }));
    const indexed = createCampaign(db, spec());
    expect(orderOf(scanned.id)).toEqual(orderOf(indexed.id));
  });

  it('gives every stratum a seed of its own', () => {
    expect(stratumHash('omniedit/style')).not.toBe(stratumHash('omniedit/removal'));
    expect(stratumHash('omniedit/style')).toBe(stratumHash('omniedit/style'));
  });
});

describe('populations of the bundled samples', () => {
  let datasetId: number;
  beforeEach(async () => {
    db = tempDb().db;
    datasetId = (await importGptEdit(db, SAMPLES_DIR)).datasetId;
  });

  it('one item per family/task: 11 strata, 12 items', () => {
    const campaign = createCampaign(db, {
      name: 'all',
      datasetId,
      population: { kind: 'filter' },
      sampling: { mode: 'fixed', perStratum: 1 },
      createdBy: 'lee',
    });
    expect(campaign).toMatchObject({ populationSize: 12, sampleSize: 11, blind: true, status: 'open', createdBy: 'lee' });
    const rows = samplesOf(campaign.id);
    expect(new Set(rows.map((r) => r.stratum)).size).toBe(11);
    expect(rows.find((r) => r.stratum === 'hqedit/edit')?.stratum_size).toBe(2);
  });

  it("'regenerated' samples only items whose current edit is a regeneration, and audits that candidate", () => {
    const all = db.$client.prepare('SELECT id FROM items WHERE dataset_id = ? ORDER BY id').pluck().all(datasetId) as number[];
    const regenerated = [all[0], all[3], all[7]];
    const candidates = regenerated.map((id) => makeRegenerated(db, id));
    const campaign = createCampaign(db, {
      name: 'regen',
      datasetId,
      population: { kind: 'regenerated' },
      sampling: { mode: 'fixed', perStratum: 5 },
      seed: 1,
      createdBy: 'lee',
    });
    const rows = samplesOf(campaign.id);
    expect(rows.map((r) => r.item_id).sort((a, b) => a - b)).toEqual(regenerated);
    for (const row of rows) expect(row.candidate_id).toBe(candidates[regenerated.indexOf(row.item_id)]);
    expect(campaign.population).toEqual({ kind: 'regenerated', filter: { origin: 'regenerated' } });
    expect(campaign.populationSize).toBe(3);
  });

  it("'accepted' samples accepted items and keeps each item's live review decision", () => {
    const all = db.$client.prepare('SELECT id FROM items WHERE dataset_id = ? ORDER BY id').pluck().all(datasetId) as number[];
    decideAll(db, datasetId, all.slice(0, 5), 'accept');
    decideAll(db, datasetId, all.slice(5, 7), 'reject');
    const accepted = createCampaign(db, {
      name: 'approved set',
      datasetId,
      population: { kind: 'accepted' },
      sampling: { mode: 'fixed', perStratum: 3 },
      createdBy: 'lee',
    });
    const rows = samplesOf(accepted.id);
    expect(rows.map((r) => r.item_id).sort((a, b) => a - b)).toEqual(all.slice(0, 5));
    expect(rows.every((r) => r.reviewer_decision === 'accept')).toBe(true);

    const everything = createCampaign(db, {
      name: 'everything',
      datasetId,
      population: { kind: 'filter' },
      sampling: { mode: 'fixed', perStratum: 3 },
      blind: false,
      createdBy: 'lee',
    });
    const decisions = Object.fromEntries(samplesOf(everything.id).map((r) => [r.item_id, r.reviewer_decision]));
    expect(all.map((id) => decisions[id])).toEqual([...Array(5).fill('accept'), 'reject', 'reject', ...Array(5).fill(null)]);
    expect(everything.blind).toBe(false);
  });

  it('lists campaigns newest first with progress, and closes them', () => {
    const base = {
      datasetId,
      population: { kind: 'filter' as const },
      sampling: { mode: 'fixed' as const, perStratum: 1 },
      createdBy: 'lee',
    };
    const a = createCampaign(db, { ...base, name: 'a' });
    const b = createCampaign(db, { ...base, name: 'b' });
    expect(listCampaigns(db).map((c) => [c.name, c.audited, c.sampleSize, c.datasetName])).toEqual([
      ['b', 0, 11, 'gpt-edit'],
      ['a', 0, 11, 'gpt-edit'],
    ]);
    expect(closeCampaign(db, a.id).status).toBe('closed');
    expect(closeCampaign(db, a.id).status).toBe('closed');
    expect(getCampaign(db, b.id)?.status).toBe('open');
    expect(() => closeCampaign(db, 999)).toThrow(/not found/);
  });
});
