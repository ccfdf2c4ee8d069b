import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { importGptEdit } from '../import/import-gpt-edit';
import { claimJob, endJob, enqueueJob, finishJob } from '../jobs/jobs';
import { addComment } from './comments';
import { markGold, setReviewSettings } from './gold';
import { itemHistory, itemHistorySql } from './history';
import { addHumanInstruction } from './items';
import { adjudicate, recordVerdict, undoLastVerdict } from './verdicts';
import { LoupeError } from '@/lib/errors';

let db: Db;
let datasetId: number;
const alice = { holder: 'user-alice:tab-1', reviewer: 'alice' };
const bob = { holder: 'user-bob:tab-1', reviewer: 'bob' };

beforeEach(async () => {
  db = tempDb().db;
  datasetId = (await importGptEdit(db, SAMPLES_DIR)).datasetId;
});
afterEach(cleanupTemp);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Times for the steps that take a `now`: strictly after everything before them, including
 * rows stamped by the database clock (settle() waits for the clock to move past those).
 */
let clock = 0;
const tick = () => (clock = Math.max(clock + 1, Date.now()));
const settle = async () => {
  do await sleep(3);
  while (Date.now() <= clock);
  clock = Date.now();
};

/** Runs a job through a worker's claim, as JobWorker does. */
function runJob(kind: 'regenerate' | 'rewrite', itemId: number, outcome: 'candidate' | 'fail') {
  const jobId = enqueueJob(db, { kind, itemId, requestedBy: 'alice', costUsd: 0.04 });
  const job = claimJob(db, 'worker-1', 60_000)!;
  expect(job.id).toBe(jobId);
  if (outcome === 'fail') {
    endJob(db, jobId, 'worker-1', 'failed', '429 rate limited (3 attempts)', tick());
    return jobId;
  }
  const root = db.$client.prepare('SELECT source_root_id FROM items WHERE id = ?').pluck().get(itemId);
  finishJob(
    db,
    jobId,
    'worker-1',
    0.04,
    () => ({
      candidateId: Number(
        db.$client
          .prepare(
            `INSERT INTO candidates (item_id, origin, root_id, path, width, height, provenance, job_id, simulated, padding_ok)
           VALUES (?, 'regenerated', ?, 'regenerated/x.png', 1024, 1024, '{}', ?, 1, 1)`,
          )
          .run(itemId, root, jobId).lastInsertRowid,
      ),
    }),
    tick(),
  );
  return jobId;
}

describe('itemHistory', () => {
  it('tells an item’s whole life in order', async () => {
    setReviewSettings(db, datasetId, { overlap: 2 });
    const itemId = 1;
    await settle();
    addHumanInstruction(db, itemId, '  Make the sky purple.  ', 'alice');
    await settle();
    runJob('regenerate', itemId, 'candidate');
    await settle();
    runJob('rewrite', itemId, 'fail');
    await settle();

    recordVerdict(db, alice, { itemId, decision: 'accept' }, tick());
    recordVerdict(db, bob, { itemId, decision: 'reject', reasons: ['artifacts', 'other'], comment: 'halo round the head' }, tick());
    adjudicate(db, 'lead1', { itemId, decision: 'reject', reasons: ['artifacts'], comment: 'the halo is real' }, tick());
    addComment(db, itemId, 'lead1', 'Good catch, bob.', tick());
    await settle();
    markGold(db, itemId, 'lead1');
    await settle();
    undoLastVerdict(db, bob, tick());

    const events = itemHistory(db, itemId);
    expect(events.map((e) => e.kind)).toEqual([
      'import',
      'instruction',
      'job_requested',
      'job_finished',
      'candidate',
      'job_requested',
      'job_finished',
      'verdict',
      'verdict',
      'verdict',
      'comment',
      'gold',
      'undo',
    ]);
    const times = events.map((e) => e.at);
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const [imported, edit, regen, regenDone, candidate, rewrite, rewriteFailed, accept, reject, adjudication, comment, gold, undo] = events;
    expect(imported).toMatchObject({ actor: null, detail: { format: 'gpt-edit', path: 'gpt-edit' } });
    expect(imported.summary).toBe(`Imported from gpt-edit (gpt-edit)`);
    expect(edit).toMatchObject({ actor: 'alice', summary: 'Instruction edited: “Make the sky purple.”' });
    expect(regen).toMatchObject({ actor: 'alice', detail: { jobKind: 'regenerate' } });
    expect(regenDone.detail).toMatchObject({ status: 'succeeded', candidateId: candidate.detail!.candidateId });
    expect(candidate).toMatchObject({ actor: 'alice', detail: { origin: 'regenerated', simulated: true, paddingOk: true } });
    expect(candidate.summary).toMatch(/1024 × 1024 \(simulated\)$/);
    expect(rewrite.detail).toMatchObject({ jobKind: 'rewrite' });
    expect(rewriteFailed.summary).toBe(`Instruction rewrite failed (job #${rewrite.detail!.jobId}): 429 rate limited (3 attempts)`);
    expect(accept).toMatchObject({ actor: 'alice', summary: 'Accepted', detail: { verdictKind: 'review', decision: 'accept' } });
    expect(reject).toMatchObject({
      actor: 'bob',
      summary: 'Rejected: Artifacts, Other “halo round the head”',
      detail: { reasons: ['artifacts', 'other'], comment: 'halo round the head' },
    });
    expect(adjudication).toMatchObject({ actor: 'lead1', detail: { verdictKind: 'adjudication' } });
    expect(adjudication.summary).toBe('Adjudicated: rejected: Artifacts “the halo is real”');
    expect(comment).toMatchObject({ actor: 'lead1', summary: 'Commented: Good catch, bob.' });
    expect(gold).toMatchObject({ actor: 'lead1', summary: 'Marked as gold (expected reject)' });
    expect(undo).toMatchObject({ actor: 'bob', detail: { undoesVerdictId: reject.detail!.verdictId } });
    expect(undo.summary).toBe(`Undid verdict #${reject.detail!.verdictId} (rejected by bob)`);
  });

  it('shows a gold answer with what was expected, and only this item’s rows', async () => {
    recordVerdict(db, alice, { itemId: 2, decision: 'accept' });
    await sleep(3);
    markGold(db, 2, 'lead1', 'reject');
    await sleep(3);
    recordVerdict(db, bob, { itemId: 2, decision: 'accept' });
    addComment(db, 3, 'bob', 'not this item');
    const events = itemHistory(db, 2);
    expect(events.map((e) => e.kind)).toEqual(['import', 'verdict', 'gold', 'verdict']);
    expect(events[3].summary).toBe('Gold answer: accepted (expected reject)');
  });

  it('answers 404 for an unknown item', () => {
    expect(() => itemHistory(db, 999)).toThrow(LoupeError);
  });

  it('reads every table by index, never by scan', () => {
    const plan = db.$client.prepare(`EXPLAIN QUERY PLAN ${itemHistorySql}`).all({ item: 1 }) as { detail: string }[];
    const details = plan.map((p) => p.detail);
    expect(details.filter((d) => /^SCAN /.test(d))).toEqual([]);
    for (const index of ['verdicts_item', 'jobs_item', 'instruction_versions_item', 'candidates_item', 'comments_item']) {
      expect(details.some((d) => d.includes(`USING INDEX ${index}`))).toBe(true);
    }
  });
});
