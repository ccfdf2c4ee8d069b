import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { createCampaign } from '@/lib/audit/campaigns';
import { auditItem } from '@/lib/audit/work';
import { recordLine } from '@/lib/export/item-record';
import { ItemResolver, taskPages, type ItemRow } from '@/lib/export/selection';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { decidedVersion, shownVersion } from './decided';
import { markGold, setReviewSettings } from './gold';
import { addHumanInstruction, getReviewItem, listItems, showDecided } from './items';
import { adjudicate, recordVerdict, undoLastVerdict } from './verdicts';
import { queueItem } from './queue-view';
import { candidateName, instructionName, labelVersion } from './version-label';

/**
 * The item page, audit samples and the export must show, audit and write the same version
 * of a decided item: the one its deciding verdict chose, however the item changed after.
 */

let db: Db;
let datasetId: number;
let itemId: number;
const who = (name: string) => ({ holder: `user-${name}:tab`, reviewer: name });
const alice = who('alice');
const bob = who('bob');
const carol = who('carol');

beforeEach(async () => {
  db = tempDb().db;
  datasetId = (await importGptEdit(db, SAMPLES_DIR)).datasetId;
  itemId = db.$client.prepare('SELECT min(id) FROM items WHERE dataset_id = ?').pluck().get(datasetId) as number;
});
afterEach(cleanupTemp);

const current = () =>
  db.$client
    .prepare('SELECT current_candidate_id AS candidateId, current_instruction_id AS instructionId FROM items WHERE id = ?')
    .get(itemId) as {
    candidateId: number;
    instructionId: number;
  };
const datasetEdit = () =>
  db.$client.prepare(`SELECT id FROM candidates WHERE item_id = ? AND origin = 'dataset'`).pluck().get(itemId) as number;
const originalInstruction = () =>
  db.$client.prepare(`SELECT id FROM instruction_versions WHERE item_id = ? AND kind = 'original'`).pluck().get(itemId) as number;
const textOf = (id: number) => db.$client.prepare('SELECT text FROM instruction_versions WHERE id = ?').pluck().get(id) as string;

/** A regeneration made current, as a finished job leaves it (the file is the dataset edit's: only ids matter here). */
function regenerate(): number {
  const id = Number(
    db.$client
      .prepare(
        `INSERT INTO candidates (item_id, origin, root_id, path, width, height)
         SELECT item_id, 'regenerated', root_id, path, width, height FROM candidates WHERE item_id = ? AND origin = 'dataset'`,
      )
      .run(itemId).lastInsertRowid,
  );
  db.$client.prepare('UPDATE items SET current_candidate_id = ? WHERE id = ?').run(id, itemId);
  return id;
}

let rewrites = 0;
const rewrite = () => addHumanInstruction(db, itemId, `reworded instruction ${++rewrites}`, 'ed').id;

/** The dataset page's row for the item, as the page builds it (listItems, then showDecided). */
function datasetPageRow() {
  const rows = listItems(db, { datasetId }, undefined, 100).rows;
  return showDecided(db, rows).find((row) => row.id === itemId)!;
}

/** What each of them shows for the item: candidate id and instruction text. */
function views() {
  // What the item page shows (app/items/[id]/page.tsx calls the same function).
  const page = shownVersion(db, getReviewItem(db, itemId)!);
  const campaign = createCampaign(db, {
    name: `agree-${Math.random()}`,
    datasetId,
    population: { kind: 'filter' },
    sampling: { mode: 'fixed', perStratum: 100 },
    seed: 1,
    createdBy: 'lee',
  });
  const sample = auditItem(db, campaign.id, itemId, { blind: false });
  const row = db.$client
    .prepare(
      `SELECT id, dataset_id, external_id, status, source_root_id, source_path, metadata, current_candidate_id, current_instruction_id, family, task
       FROM items WHERE id = ?`,
    )
    .get(itemId) as ItemRow & { family: string; task: string };
  const group = { family: row.family, task: row.task, datasetIds: [datasetId], n: 1 };
  const exported = new ItemResolver(db).resolve(row, group);
  if ('problem' in exported) throw new Error(exported.problem);
  // What an export writes: a joined page (every format but jsonl --images none) and a record line (that one).
  const joinedRow = [...taskPages(db, group, 'all', 'joined')].flat().find((r) => r.id === itemId)!;
  const joined = new ItemResolver(db).resolve(joinedRow, group);
  if ('problem' in joined) throw new Error(joined.problem);
  const lineRow = [...taskPages(db, group, 'all', 'lines')].flat().find((r) => r.id === itemId)!;
  const ref = { root: '/store', path: 'ab/x.png', sha256: 'a'.repeat(64) };
  return {
    page: { candidate: page.candidateId, instruction: textOf(page.instructionId) },
    audit: { candidate: sample.candidate.id, instruction: sample.instruction },
    export: { candidate: exported.candidate.id, instruction: exported.version.text },
    exportPage: { candidate: joined.candidate.id, instruction: joined.version.text },
    exportLine: (JSON.parse(recordLine(lineRow, { source: ref, edited: ref })) as { instruction: string }).instruction,
    exportLineEdit: lineRow.edited_path === joined.candidate.path && lineRow.edited_root_id === joined.candidate.root_id,
    datasetPage: datasetPageRow().instruction,
    auditLabel: sample.version?.text,
  };
}

/** All three agree, on `expected`. */
function expectAgreement(expected: { candidate: number; instruction: number }) {
  const seen = views();
  const want = { candidate: expected.candidate, instruction: textOf(expected.instruction) };
  expect(seen.page).toEqual(want);
  expect(seen.audit).toEqual(want);
  expect(seen.export).toEqual(want);
  expect(seen.exportPage).toEqual(want);
  expect(seen.exportLine).toBe(want.instruction);
  expect(seen.exportLineEdit).toBe(true);
  expect(seen.datasetPage).toBe(want.instruction);
  return seen;
}

describe('the decided version: item page, dataset page, audit and export agree', () => {
  it('regenerated and rewritten after the accept: the accepted dataset edit and original instruction, labelled, with the newer ones flagged', () => {
    const accepted = { candidate: datasetEdit(), instruction: originalInstruction() };
    recordVerdict(db, alice, { itemId, decision: 'accept' });
    regenerate();
    rewrite();
    const seen = expectAgreement(accepted);
    expect(seen.auditLabel).toBe('accepted version: dataset edit · original instruction');
    const decided = decidedVersion(db, itemId)!;
    const label = labelVersion(getReviewItem(db, itemId)!, decided, decided.verdict.created_at);
    expect(datasetPageRow().decided).toEqual({ newerCandidate: true, newerInstruction: true });
    expect(label).toEqual({
      text: 'dataset edit · original instruction',
      newerCandidate: 'a newer regeneration exists (not reviewed)',
      newerInstruction: 'a newer instruction (human edit) exists (not reviewed)',
    });
  });

  it('a regeneration and a rewrite that existed and were passed over are not "newer"; one made after the decision is', () => {
    const regeneration = regenerate();
    const human = rewrite();
    // Made a second before the verdict (a reviewer cannot see and decide within one millisecond).
    db.$client.prepare('UPDATE candidates SET created_at = created_at - 1000 WHERE id = ?').run(regeneration);
    db.$client.prepare('UPDATE instruction_versions SET created_at = created_at - 1000 WHERE id = ?').run(human);
    recordVerdict(db, alice, { itemId, decision: 'accept', candidateId: datasetEdit(), instructionVersionId: originalInstruction() });
    const label = () => {
      const decided = decidedVersion(db, itemId)!;
      return labelVersion(getReviewItem(db, itemId)!, decided, decided.verdict.created_at);
    };
    expect(label()).toEqual({ text: 'dataset edit · original instruction', newerCandidate: null, newerInstruction: null });
    expect(datasetPageRow().decided).toEqual({ newerCandidate: false, newerInstruction: false });
    regenerate();
    expect(label().newerCandidate).toBe('a newer regeneration exists (not reviewed)');
    expect(label().newerInstruction).toBeNull();
    expect(datasetPageRow().decided).toEqual({ newerCandidate: true, newerInstruction: false });
  });

  it('a verdict from before verdicts recorded their version names it as not recorded, not as the current one', () => {
    const item = getReviewItem(db, itemId)!;
    expect(candidateName(item.candidates, null)).toBe('edit not recorded');
    expect(instructionName(item.instructions, null)).toBe('instruction not recorded');
  });

  it('accepted, regenerated, undone: pending shows the current version; accepted again on the regeneration, that one, even after another', () => {
    recordVerdict(db, alice, { itemId, decision: 'accept' });
    const regeneration = regenerate();
    undoLastVerdict(db, alice);
    expect(decidedVersion(db, itemId)).toBeUndefined();
    expectAgreement({ candidate: regeneration, instruction: originalInstruction() });
    recordVerdict(db, alice, { itemId, decision: 'accept', candidateId: regeneration });
    regenerate();
    const seen = expectAgreement({ candidate: regeneration, instruction: originalInstruction() });
    expect(seen.auditLabel).toBe('accepted version: regeneration 1 · original instruction');
  });

  it('an adjudicated dispute: the adjudication’s choice, not a reviewer’s nor a later gold answer', () => {
    setReviewSettings(db, datasetId, { overlap: 2 });
    recordVerdict(db, alice, { itemId, decision: 'accept' });
    const regeneration = regenerate();
    recordVerdict(db, bob, { itemId, decision: 'reject', reasons: ['artifacts'] });
    const human = rewrite();
    adjudicate(db, 'lee', { itemId, decision: 'accept' });
    const adjudicated = { candidate: regeneration, instruction: human };
    expectAgreement(adjudicated);
    // Later the item is gold and a third reviewer answers it on a newer regeneration: gold never decides.
    markGold(db, itemId, 'lee', 'accept');
    const newer = regenerate();
    recordVerdict(db, carol, { itemId, decision: 'accept', candidateId: newer, instructionVersionId: originalInstruction() });
    expectAgreement(adjudicated);
    expect(decidedVersion(db, itemId)?.verdict.kind).toBe('adjudication');
  });

  it('a re-adjudication decides the version the item page shows (the decided one), not a newer one it never showed', () => {
    setReviewSettings(db, datasetId, { overlap: 2 });
    recordVerdict(db, alice, { itemId, decision: 'accept' });
    recordVerdict(db, bob, { itemId, decision: 'reject' });
    const regeneration = regenerate();
    adjudicate(db, 'lee', { itemId, decision: 'accept' });
    regenerate();
    const shown = decidedVersion(db, itemId)!;
    expect(shown.candidateId).toBe(regeneration);
    adjudicate(db, 'lee', { itemId, decision: 'reject', candidateId: shown.candidateId, instructionVersionId: shown.instructionId });
    expectAgreement({ candidate: regeneration, instruction: originalInstruction() });
    const elsewhere = db.$client.prepare('SELECT id FROM candidates WHERE item_id != ? LIMIT 1').pluck().get(itemId) as number;
    expect(() => adjudicate(db, 'lee', { itemId, decision: 'accept', candidateId: elsewhere })).toThrow(
      `candidate ${elsewhere} is not a candidate of item ${itemId}`,
    );
  });

  it('overlap 2 on two versions: the verdict that completed the agreement', () => {
    setReviewSettings(db, datasetId, { overlap: 2 });
    recordVerdict(db, alice, { itemId, decision: 'reject' });
    const regeneration = regenerate();
    const human = rewrite();
    recordVerdict(db, bob, { itemId, decision: 'reject', reasons: ['artifacts'] });
    regenerate();
    expectAgreement({ candidate: regeneration, instruction: human });
    expect(decidedVersion(db, itemId)?.verdict.reviewer).toBe('bob');
  });

  it('overlap 2 accepting two different versions is a dispute, not an accept of the last one', () => {
    setReviewSettings(db, datasetId, { overlap: 2 });
    expect(recordVerdict(db, alice, { itemId, decision: 'accept' }).status).toBe('pending');
    const regeneration = regenerate();
    expect(recordVerdict(db, bob, { itemId, decision: 'accept', candidateId: regeneration }).status).toBe('disputed');
    expect(decidedVersion(db, itemId)).toBeUndefined();
    // The lead picks one; that version is the decided one.
    adjudicate(db, 'lee', { itemId, decision: 'accept', candidateId: datasetEdit() });
    expectAgreement({ candidate: datasetEdit(), instruction: originalInstruction() });
  });

  it('overlap 2 accepting the same version agrees, whatever changed in between', () => {
    setReviewSettings(db, datasetId, { overlap: 2 });
    recordVerdict(db, alice, { itemId, decision: 'accept' });
    regenerate();
    expect(recordVerdict(db, bob, { itemId, decision: 'accept', candidateId: datasetEdit() }).status).toBe('accepted');
    expectAgreement({ candidate: datasetEdit(), instruction: originalInstruction() });
  });

  it('rejected on a reworded instruction, then regenerated: the rejected version (the export wrote the current one)', () => {
    const human = rewrite();
    const edit = datasetEdit();
    recordVerdict(db, alice, { itemId, decision: 'reject', reasons: ['artifacts'] });
    regenerate();
    rewrite();
    expectAgreement({ candidate: edit, instruction: human });
  });

  it('an audit of regenerated items audits the current regeneration, and says it is not the accepted version', () => {
    recordVerdict(db, alice, { itemId, decision: 'accept' });
    const regeneration = regenerate();
    const campaign = createCampaign(db, {
      name: 'regenerated',
      datasetId,
      population: { kind: 'regenerated' },
      sampling: { mode: 'fixed', perStratum: 10 },
      seed: 1,
      createdBy: 'lee',
    });
    const sample = auditItem(db, campaign.id, itemId, { blind: false });
    expect(sample.candidate.id).toBe(regeneration);
    expect(sample.instruction).toBe(textOf(current().instructionId));
    expect(sample.version?.text).toBe('current version (not the accepted one): regeneration 1 · original instruction');
    expect(auditItem(db, campaign.id, itemId, { blind: true }).version).toBeUndefined();
  });

  it('an audit sample keeps the version drawn, even when the decision changes to another after the draw', () => {
    const reworded = rewrite(); // current instruction: the rewrite
    recordVerdict(db, alice, { itemId, decision: 'accept', instructionVersionId: originalInstruction() });
    const campaign = createCampaign(db, {
      name: 'pinned',
      datasetId,
      population: { kind: 'filter' },
      sampling: { mode: 'fixed', perStratum: 100 },
      seed: 1,
      createdBy: 'lee',
    });
    undoLastVerdict(db, alice);
    const regeneration = regenerate();
    recordVerdict(db, alice, { itemId, decision: 'accept', candidateId: regeneration, instructionVersionId: reworded });
    const sample = auditItem(db, campaign.id, itemId, { blind: false });
    expect(sample.candidate.id).toBe(datasetEdit());
    expect(sample.instruction).toBe(textOf(originalInstruction()));
  });

  it('a gold item is offered to reviewers as it was decided, so its answer is scored on that version', () => {
    recordVerdict(db, alice, { itemId, decision: 'accept' });
    markGold(db, itemId, 'lee', 'accept');
    regenerate();
    rewrite();
    const offered = queueItem(db, itemId)!;
    expect(offered.status).toBe('pending');
    expect(offered.currentCandidateId).toBe(datasetEdit());
    expect(offered.currentInstructionId).toBe(originalInstruction());
    // A pending item is offered as it is now.
    const [other] = db.$client
      .prepare('SELECT id FROM items WHERE dataset_id = ? AND id != ? LIMIT 1')
      .pluck()
      .all(datasetId, itemId) as number[];
    expect(queueItem(db, other)!.currentCandidateId).toBe(getReviewItem(db, other)!.currentCandidateId);
  });
});
