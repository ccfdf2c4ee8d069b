import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { addHumanInstruction } from '@/lib/review/items';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { closeCampaign, createCampaign, type Campaign } from './campaigns';
import { decideAll, idsOf, makeRegenerated } from '@/lib/test/audit';
import { AUDIT_LEASE_MS, auditItem, claimNextSample, recordResult, releaseSamples } from './work';

let db: Db;
let datasetId: number;
let campaign: Campaign;
const T0 = 1_800_000_000_000;
const good = { instructionFollowing: 9, identityPreservation: 8, visualQuality: 10, pass: true };

const order = () =>
  db.$client.prepare('SELECT item_id FROM audit_samples WHERE campaign_id = ? ORDER BY position').pluck().all(campaign.id) as number[];

beforeEach(async () => {
  db = tempDb().db;
  datasetId = (await importGptEdit(db, SAMPLES_DIR)).datasetId;
  campaign = createCampaign(db, {
    name: 'c',
    datasetId,
    population: { kind: 'filter' },
    sampling: { mode: 'fixed', perStratum: 1 },
    seed: 3,
    createdBy: 'lee',
  });
});
afterEach(cleanupTemp);

describe('claiming samples', () => {
  it('gives pages the samples in audit order, one each, and the same one again on a reload', () => {
    const ids = order();
    const a = claimNextSample(db, campaign.id, 'u1:page-a', 'ann', T0);
    const b = claimNextSample(db, campaign.id, 'u2:page-b', 'bo', T0);
    expect(a.sample?.itemId).toBe(ids[0]);
    expect(b.sample?.itemId).toBe(ids[1]);
    expect(a.leaseExpiresAt).toBe(T0 + AUDIT_LEASE_MS);
    expect(a.sample?.position).toBe(0);
    expect(claimNextSample(db, campaign.id, 'u1:page-a', 'ann', T0 + 1000).sample?.itemId).toBe(ids[0]);
    expect(a.progress).toEqual({ audited: 0, sampled: 11, mine: 0 });
  });

  it('frees a lease after 5 minutes for the next claim', () => {
    const ids = order();
    claimNextSample(db, campaign.id, 'u1:page-a', 'ann', T0);
    expect(claimNextSample(db, campaign.id, 'u2:page-b', 'bo', T0 + AUDIT_LEASE_MS - 1).sample?.itemId).toBe(ids[1]);
    releaseSamples(db, campaign.id, 'u2:page-b');
    expect(claimNextSample(db, campaign.id, 'u2:page-b', 'bo', T0 + AUDIT_LEASE_MS).sample?.itemId).toBe(ids[0]);
  });

  it('records scores, ends the lease, moves on, and reports progress; a result can be corrected', () => {
    const ids = order();
    const first = claimNextSample(db, campaign.id, 'u1:page-a', 'ann', T0).sample!;
    const result = recordResult(
      db,
      campaign.id,
      first.itemId,
      'ann',
      { ...good, note: '  fine  ', msSpent: 4200 },
      { holder: 'u1:page-a', now: T0 + 5 },
    );
    expect(result).toMatchObject({ itemId: ids[0], auditor: 'ann', pass: true, note: 'fine', msSpent: 4200 });
    const lease = db.$client
      .prepare('SELECT lease_holder, lease_expires_at FROM audit_samples WHERE campaign_id = ? AND item_id = ?')
      .get(campaign.id, first.itemId);
    expect(lease).toEqual({ lease_holder: null, lease_expires_at: null });

    const next = claimNextSample(db, campaign.id, 'u1:page-a', 'ann', T0 + 10);
    expect(next.sample?.itemId).toBe(ids[1]);
    expect(next.progress).toEqual({ audited: 1, sampled: 11, mine: 1 });
    expect(claimNextSample(db, campaign.id, 'u2:page-b', 'bo', T0 + 10).progress).toEqual({ audited: 1, sampled: 11, mine: 0 });

    // Upsert by (campaign, item): one row, the later scores.
    recordResult(db, campaign.id, first.itemId, 'bo', { ...good, pass: false, visualQuality: 2 }, { now: T0 + 20 });
    const rows = db.$client.prepare('SELECT auditor, visual_quality, pass FROM audit_results WHERE campaign_id = ?').all(campaign.id);
    expect(rows).toEqual([{ auditor: 'bo', visual_quality: 2, pass: 0 }]);
  });

  it('answers null when every sample has a result', () => {
    for (const id of order()) recordResult(db, campaign.id, id, 'ann', good, { now: T0 });
    expect(claimNextSample(db, campaign.id, 'u1:page-a', 'ann', T0)).toEqual({
      sample: null,
      progress: { audited: 11, sampled: 11, mine: 11 },
      leaseExpiresAt: null,
    });
  });

  it('refuses a sample another page holds, an item outside the sample, bad scores and a closed campaign', () => {
    const held = claimNextSample(db, campaign.id, 'u1:page-a', 'ann', T0).sample!;
    expect(() => recordResult(db, campaign.id, held.itemId, 'bo', good, { holder: 'u2:page-b', now: T0 + 1 })).toThrow(
      /another auditor holds this sample/,
    );
    // Once the lease has run out, anyone may record it.
    recordResult(db, campaign.id, held.itemId, 'bo', good, { holder: 'u2:page-b', now: T0 + AUDIT_LEASE_MS + 1 });

    const outside = db.$client
      .prepare('SELECT id FROM items WHERE id NOT IN (SELECT item_id FROM audit_samples WHERE campaign_id = ?) LIMIT 1')
      .pluck()
      .get(campaign.id) as number;
    expect(() => recordResult(db, campaign.id, outside, 'ann', good)).toThrow(/not in the sample/);
    expect(() => recordResult(db, campaign.id, held.itemId, 'ann', { ...good, visualQuality: 11 })).toThrow();
    expect(() => recordResult(db, campaign.id, held.itemId, 'ann', { ...good, identityPreservation: 7.5 })).toThrow();
    expect(() => claimNextSample(db, 999, 'u1:page-a', 'ann')).toThrow(/not found/);

    closeCampaign(db, campaign.id);
    expect(() => claimNextSample(db, campaign.id, 'u1:page-a', 'ann')).toThrow(/is closed/);
    expect(() => recordResult(db, campaign.id, held.itemId, 'ann', good)).toThrow(/is closed/);
  });
});

describe('what the audit page shows', () => {
  it('the drawn candidate beside its source, the instruction drawn with it (not one added since), family and task', () => {
    const id = order()[0];
    const drawn = db.$client
      .prepare('SELECT text, kind FROM instruction_versions WHERE id = (SELECT current_instruction_id FROM items WHERE id = ?)')
      .get(id) as { text: string; kind: string };
    addHumanInstruction(db, id, 'Make the sky purple.', 'rita');
    const item = auditItem(db, campaign.id, id, { blind: true });
    const row = db.$client.prepare('SELECT family, task, current_candidate_id, source_width FROM items WHERE id = ?').get(id) as {
      family: string;
      task: string;
      current_candidate_id: number;
      source_width: number;
    };
    expect(item).toMatchObject({
      itemId: id,
      family: row.family,
      task: row.task,
      instruction: drawn.text,
      instructionKind: drawn.kind,
      source: { kind: 'source', id, width: row.source_width },
      candidate: { kind: 'candidate', id: row.current_candidate_id, origin: 'dataset' },
    });
  });

  it("a pair regeneration's own source", async () => {
    const all = db.$client.prepare('SELECT id FROM items WHERE dataset_id = ? ORDER BY id').pluck().all(datasetId) as number[];
    const candidateId = makeRegenerated(db, all[2], true);
    const regen = createCampaign(db, {
      name: 'r',
      datasetId,
      population: { kind: 'regenerated' },
      sampling: { mode: 'fixed', perStratum: 1 },
      createdBy: 'lee',
    });
    const item = auditItem(db, regen.id, all[2], { blind: true });
    expect(item.source).toEqual({ kind: 'candidate-source', id: candidateId, width: 1024, height: 768 });
    expect(item.candidate).toMatchObject({ id: candidateId, origin: 'regenerated', width: 1024, height: 768 });
  });

  it('blind: no reviewer verdicts at all; otherwise their live verdicts with reasons', () => {
    const [rejected, accepted] = idsOf(db, datasetId, 'hqedit', 'edit');
    decideAll(db, datasetId, [rejected], 'reject', 'rita');
    decideAll(db, datasetId, [accepted], 'accept', 'sam');
    const base = {
      datasetId,
      population: { kind: 'filter' as const, filter: { family: 'hqedit', task: 'edit' } },
      sampling: { mode: 'fixed' as const, perStratum: 2 },
      createdBy: 'lee',
    };
    const blind = createCampaign(db, { ...base, name: 'blind' });
    const open = createCampaign(db, { ...base, name: 'open', blind: false });

    const hidden = claimNextSample(db, blind.id, 'u1:page-a', 'ann', T0).sample!;
    expect(hidden).not.toHaveProperty('verdicts');
    expect(hidden).not.toHaveProperty('reviewerDecision');
    expect(JSON.stringify(hidden)).not.toMatch(/"(rita|sam|reject|accept)"/);

    const shown = auditItem(db, open.id, rejected, { blind: open.blind });
    expect(shown.reviewerDecision).toBe('reject');
    expect(shown.verdicts).toEqual([
      {
        reviewer: 'rita',
        decision: 'reject',
        kind: 'review',
        reasons: ['artifacts'],
        comment: 'smeared edge',
        createdAt: expect.any(Number),
      },
    ]);
  });
});
