import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { importGptEdit } from '../import/import-gpt-edit';
import { getJob } from '../jobs/jobs';
import { JobWorker } from '../jobs/worker';
import { cleanupTemp, copySamples, gptEditRecord, tempDb, tempDir, writeGptEditLayout } from '../test/factories';
import { groupNearDuplicates } from './groups';
import { queueSignals, signalsJobCounts } from './queue';
import { candidateSignals, PAIR_SIGNALS, SIGNALS_VERSION } from './store';
import { workerKinds } from '../jobs/worker-kinds';

let db: Db;
let root: string;
let datasetId: number;
let worker: JobWorker | undefined;

beforeEach(async () => {
  ({ db } = tempDb());
  root = copySamples();
  await importGptEdit(db, root);
  datasetId = statement<[], number>(db, 'SELECT id FROM datasets').pluck().get()!;
});

afterEach(async () => {
  await worker?.stop({ abort: true });
  worker = undefined;
  cleanupTemp();
});

interface ItemRow {
  id: number;
  externalId: string;
  /** The task folder, relative to the layout's root. */
  dir: string;
  current: number;
  input: string;
  output: string;
}

const itemsOf = (dataset = datasetId) =>
  statement<[number], ItemRow>(
    db,
    `SELECT id, external_id AS externalId, family || '/' || task AS dir, current_candidate_id AS current,
            json_extract(metadata, '$.input') AS input, json_extract(metadata, '$.output') AS output
     FROM items WHERE dataset_id = ? ORDER BY id`,
  ).all(dataset);

function startWorker() {
  const { runners, claim } = workerKinds(db, undefined, { only: ['signals'] });
  worker = new JobWorker(db, { concurrency: 2, maxAttempts: 2, runners, claim, pollMs: 20 }).start();
}

async function runAll(range: { firstJobId: number | null; lastJobId: number | null }) {
  if (range.firstJobId === null) return;
  startWorker();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const counts = signalsJobCounts(db, range.firstJobId, range.lastJobId!);
    if (counts.queued + counts.running === 0) return counts;
    if (Date.now() > deadline) throw new Error(`signals jobs still running: ${JSON.stringify(counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('signals jobs', () => {
  it('measure every item of the samples with a signals-only worker, and leave other jobs queued', async () => {
    const items = itemsOf();
    expect(items).toHaveLength(12);
    // An API job the signals-only worker must not take (nor fail).
    const regenerate = Number(
      statement(db, `INSERT INTO jobs (kind, item_id, params, cost_usd, requested_by) VALUES ('regenerate', ?, '{}', 0.1, 'test')`).run(
        items[0].id,
      ).lastInsertRowid,
    );

    const queued = await queueSignals(db, { datasetId }, { requestedBy: 'test' });
    expect(queued).toMatchObject({ queued: 12, matched: 12, skippedComputed: 0, skippedActive: 0 });
    const counts = await runAll(queued);
    expect(counts).toMatchObject({ succeeded: 12, failed: 0 });
    expect(getJob(db, regenerate)?.status).toBe('queued');
    await worker?.stop();

    for (const item of items) {
      const signals = candidateSignals(db, item.current);
      expect(Object.keys(signals).sort()).toEqual([...PAIR_SIGNALS].sort());
      expect(signals.ssim.value).toBeGreaterThanOrEqual(-1);
      expect(signals.ssim.value).toBeLessThanOrEqual(1);
      expect(signals.changed_fraction.value).toBeGreaterThanOrEqual(0);
      expect(signals.changed_fraction.value).toBeLessThanOrEqual(1);
      expect(signals.padding_residual.value).toBeGreaterThanOrEqual(0);
      expect(signals.phash.value).toBeNull();
      expect(signals.phash.detail).toMatchObject({
        source: expect.stringMatching(/^[0-9a-f]{16}$/),
        edit: expect.stringMatching(/^[0-9a-f]{16}$/),
      });
      expect(signals.ssim.jobId).toEqual(expect.any(Number));
    }
    const byId = (suffix: string) => candidateSignals(db, items.find((i) => i.externalId.endsWith(suffix))!.current);
    // "Remove the horse" left a blank white picture: all padding, and the horse silhouette's pixels changed.
    expect(byId('00000012').padding_residual.value).toBe(1);
    expect(byId('00000012').padding_residual.detail).toMatchObject({ colour: 'white' });
    // "Invert the colours": almost every pixel changed, structure inverted.
    expect(byId('00000009').changed_fraction.value).toBeGreaterThan(0.9);
    expect(byId('00000009').ssim.value).toBeLessThan(0.1);

    // Measured items are skipped next time, unless forced.
    expect(await queueSignals(db, { datasetId }, { requestedBy: 'test' })).toMatchObject({ queued: 0, skippedComputed: 12 });
    const again = await queueSignals(db, { datasetId, family: 'hqedit' }, { requestedBy: 'test', skipComputed: false });
    expect(again).toMatchObject({ queued: 3, matched: 3 });
    expect(await queueSignals(db, { datasetId }, { requestedBy: 'test', skipComputed: false })).toMatchObject({
      queued: 9,
      skippedActive: 3,
    });
  });

  it('groups near-duplicate sources and edits over the dataset, and drops the rows of replaced candidates', async () => {
    await runAll(await queueSignals(db, { datasetId }, { requestedBy: 'test' }));
    const summary = await groupNearDuplicates(db, datasetId);
    expect(summary.source.hashes).toBe(12);
    const items = itemsOf();
    // The samples reuse source photos (same bytes): the expected groups are those of the files' digests.
    const digest = (item: ItemRow) =>
      crypto
        .createHash('sha1')
        .update(fs.readFileSync(path.join(root, item.dir, item.input)))
        .digest('hex');
    const digests = items.map(digest);
    const expectedGroups = new Set(digests.filter((d, i) => digests.indexOf(d) !== i)).size;
    expect(summary.source.groups).toBe(expectedGroups);
    for (const [i, item] of items.entries()) {
      const same = items.filter((_, j) => digests[j] === digests[i]);
      const dup = candidateSignals(db, item.current).dup_source;
      expect(dup.value, item.externalId).toBe(same.length);
      expect(dup.detail.group).toBe(Math.min(...same.map((s) => s.current)));
      expect(dup.detail.members).toEqual(same.map((s) => s.current).sort((a, b) => a - b));
      expect(dup.detail.items).toEqual([...same].sort((a, b) => a.current - b.current).map((s) => s.id));
      expect(candidateSignals(db, item.current).dup_edit.value).toBeGreaterThanOrEqual(1);
    }

    // A new current candidate for one item: its old candidate's dup rows go at the next pass.
    const item = items[0];
    const newCandidate = Number(
      statement(
        db,
        `INSERT INTO candidates (item_id, origin, root_id, path, width, height) SELECT item_id, 'regenerated', root_id, path, width, height
         FROM candidates WHERE id = ?`,
      ).run(item.current).lastInsertRowid,
    );
    statement(db, 'UPDATE items SET current_candidate_id = ? WHERE id = ?').run(newCandidate, item.id);
    const second = await groupNearDuplicates(db, datasetId);
    expect(second.source.hashes).toBe(11);
    expect(candidateSignals(db, item.current).dup_source).toBeUndefined();
    expect(candidateSignals(db, item.current).ssim).toBeDefined(); // per-candidate signals stay
    expect(candidateSignals(db, newCandidate).dup_source).toBeUndefined();
    // ...and once the new candidate is measured, it is grouped again.
    await worker?.stop();
    worker = undefined;
    const requeued = await queueSignals(db, { datasetId }, { requestedBy: 'test' });
    expect(requeued.queued).toBe(1);
    await runAll(requeued);
    expect((await groupNearDuplicates(db, datasetId)).source.hashes).toBe(12);
    expect(candidateSignals(db, newCandidate).dup_source.value).toBeGreaterThanOrEqual(1);
  });

  it('measures every candidate with allCandidates, and fails a job whose image file is missing', async () => {
    const [first, second] = itemsOf();
    const extra = Number(
      statement(
        db,
        `INSERT INTO candidates (item_id, origin, root_id, path, width, height) SELECT item_id, 'regenerated', root_id, path, width, height
         FROM candidates WHERE id = ?`,
      ).run(first.current).lastInsertRowid,
    );
    fs.rmSync(path.join(root, second.dir, second.output));

    const queued = await queueSignals(db, { datasetId }, { requestedBy: 'test', allCandidates: true });
    expect(queued.queued).toBe(12);
    const counts = await runAll(queued);
    expect(counts).toMatchObject({ succeeded: 11, failed: 1 });
    expect(Object.keys(candidateSignals(db, first.current))).toHaveLength(4);
    expect(Object.keys(candidateSignals(db, extra))).toHaveLength(4);
    const failed = statement<[number], { error: string }>(db, `SELECT error FROM jobs WHERE item_id = ? AND kind = 'signals'`).get(
      second.id,
    );
    expect(failed?.error).toMatch(/image file is missing/);
    expect(candidateSignals(db, second.current)).toEqual({});
  });

  it('measures again the candidates whose signals are of an older version', async () => {
    await runAll(await queueSignals(db, { datasetId }, { requestedBy: 'test' }));
    await worker?.stop();
    worker = undefined;
    const [first, second] = itemsOf();
    expect(candidateSignals(db, first.current).ssim.detail.version).toBe(SIGNALS_VERSION);
    // Rows written before the version was recorded (version 1), and rows of a version to come.
    statement(db, `UPDATE signals SET detail = json_remove(detail, '$.version') WHERE candidate_id = ?`).run(first.current);
    statement(db, `UPDATE signals SET detail = json_set(detail, '$.version', ?) WHERE candidate_id = ?`).run(
      SIGNALS_VERSION + 1,
      second.current,
    );
    const requeued = await queueSignals(db, { datasetId }, { requestedBy: 'test' });
    expect(requeued).toMatchObject({ queued: 1, skippedComputed: 11 });
    await runAll(requeued);
    expect(candidateSignals(db, first.current).ssim.detail.version).toBe(SIGNALS_VERSION);
  });

  it('gives identical pictures one group (flat test images hash alike)', async () => {
    const layout = tempDir('loupe-flat-');
    const records = [1, 2, 3, 4].map((n) => gptEditRecord('omniedit', 'style', n));
    await writeGptEditLayout(path.join(layout, 'flat'), records, { family: 'omniedit', task: 'style' });
    await importGptEdit(db, path.join(layout, 'flat'), { dataset: 'flat' });
    const flat = statement<[], number>(db, `SELECT id FROM datasets WHERE name = 'flat'`).pluck().get()!;
    await runAll(await queueSignals(db, { datasetId: flat }, { requestedBy: 'test' }));
    const summary = await groupNearDuplicates(db, flat);
    expect(summary.source).toMatchObject({ hashes: 4, groups: 1, duplicates: 4, largest: 4 });
    expect(summary.edit).toMatchObject({ hashes: 4, groups: 1, duplicates: 4 });
    for (const item of itemsOf(flat)) expect(candidateSignals(db, item.current).dup_edit.value).toBe(4);
    // The other dataset is untouched by this pass.
    expect(
      statement<[number], number>(db, `SELECT count(*) FROM signals WHERE dataset_id = ? AND name LIKE 'dup_%'`).pluck().get(datasetId),
    ).toBe(0);
  });
});
