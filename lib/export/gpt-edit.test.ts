import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { addHumanInstruction, getReviewItem } from '@/lib/review/items';
import type { Claimant } from '@/lib/review/queue';
import { recordVerdict, undoLastVerdict } from '@/lib/review/verdicts';
import { cleanupTemp, copySamples, gptEditRecord, tempDb, tempDir, writeGptEditLayout } from '@/lib/test/factories';
import { ExportError, exportGptEdit } from './gpt-edit';

afterEach(cleanupTemp);

const alice: Claimant = { holder: 'tab-1', reviewer: 'alice' };

function itemId(db: Db, externalId: string): number {
  return db.$client.prepare<[string], number>('SELECT id FROM items WHERE external_id = ?').pluck().get(externalId)!;
}

function item(db: Db, externalId: string) {
  return getReviewItem(db, itemId(db, externalId))!;
}

function versionId(db: Db, externalId: string, kind: string): number {
  return item(db, externalId).instructions.find((v) => v.kind === kind)!.id;
}

function accept(db: Db, externalId: string, instructionVersionId?: number) {
  recordVerdict(db, alice, { itemId: itemId(db, externalId), decision: 'accept', instructionVersionId });
}

/** The absolute file of an item's source image and of one of its candidates. */
function imageFiles(db: Db, externalId: string, candidateId: number) {
  const row = db.$client
    .prepare<[number, string], { source: string; output: string }>(
      `SELECT sr.path || '/' || i.source_path AS source, cr.path || '/' || c.path AS output
       FROM items i JOIN image_roots sr ON sr.id = i.source_root_id
       JOIN candidates c ON c.id = ? JOIN image_roots cr ON cr.id = c.root_id
       WHERE i.external_id = ?`,
    )
    .get(candidateId, externalId)!;
  return row;
}

/** Every file under a folder, as sorted POSIX paths relative to it. */
function listFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

function readJson(file: string) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

const EDITED_SKY = 'Make the sky glow orange, like at sunset.';

/**
 * The bundled samples, imported and reviewed: four accepts of different kinds, one
 * reject, one accept undone and re-accepted with another version, one accept undone.
 */
async function reviewedSamples() {
  const { db } = tempDb();
  const samples = copySamples();
  await importGptEdit(db, samples);

  accept(db, 'hqedit_edit_00000001');
  recordVerdict(db, alice, { itemId: itemId(db, 'hqedit_edit_00000002'), decision: 'reject', reasons: ['artifacts'] });
  // The rewritten item, accepted with its original wording.
  accept(db, 'omniedit_style_00000004', versionId(db, 'omniedit_style_00000004', 'original'));
  // A reviewer's edit of the instruction, accepted.
  addHumanInstruction(db, itemId(db, 'omniedit_env_00000005'), EDITED_SKY, 'alice');
  accept(db, 'omniedit_env_00000005');
  accept(db, 'omniedit_complex-edit_00000007');
  // Accepted, undone, edited, then accepted with the original version: the export must
  // use the live verdict's version, not the current (edited) one.
  accept(db, 'ultraedit_add_00000010');
  undoLastVerdict(db, alice);
  addHumanInstruction(db, itemId(db, 'ultraedit_add_00000010'), 'Add a thin red frame.', 'alice');
  accept(db, 'ultraedit_add_00000010', versionId(db, 'ultraedit_add_00000010', 'original'));
  // Accepted then undone: pending again, not exported.
  accept(db, 'ultraedit_change_color_00000011');
  undoLastVerdict(db, alice);
  return { db, samples };
}

const ACCEPTED = [
  'hqedit_edit_00000001',
  'omniedit_complex-edit_00000007',
  'omniedit_env_00000005',
  'omniedit_style_00000004',
  'ultraedit_add_00000010',
];

describe('exportGptEdit', () => {
  it('writes the accepted triplets in the layout, and they import back as accepted', async () => {
    const { db } = await reviewedSamples();
    const out = path.join(tempDir(), 'export');
    const progress: [number, number][] = [];
    const summary = await exportGptEdit(db, { out, onProgress: (done, total) => progress.push([done, total]) });

    expect(summary).toMatchObject({ out, format: 'gpt-edit', items: 5, files: 15, skipped: 0, problems: [] });
    expect(summary.filter).toEqual({ status: 'accepted', dataset: null, family: null, task: null });
    expect(progress.at(-1)).toEqual([5, 5]);
    expect(listFiles(out)).toEqual([
      'hqedit/edit/input/00000001.png',
      'hqedit/edit/metadata/hqedit_edit.json',
      'hqedit/edit/output/00000001.png',
      'manifest.json',
      'omniedit/complex-edit/input/00000007.png',
      'omniedit/complex-edit/metadata/omniedit_complex-edit.json',
      'omniedit/complex-edit/output/00000007.png',
      'omniedit/env/input/00000005.png',
      'omniedit/env/metadata/omniedit_env.json',
      'omniedit/env/output/00000005.png',
      'omniedit/style/input/00000004.png',
      'omniedit/style/metadata/omniedit_style.json',
      'omniedit/style/output/00000004.png',
      'ultraedit/add/input/00000010.png',
      'ultraedit/add/metadata/ultraedit_add.json',
      'ultraedit/add/output/00000010.png',
    ]);

    // Records keep every imported field; the instruction fields follow the chosen version.
    const [style] = readJson(path.join(out, 'omniedit/style/metadata/omniedit_style.json'));
    expect(style).toEqual({
      id: 'omniedit_style_00000004',
      dataset_source: 'omniedit',
      task: 'style',
      input: 'input/00000004.png',
      output: 'output/00000004.png',
      instruction: 'Make it a pop art piece.',
      instruction_type: 'original',
      input_description: 'A cup of coffee with latte art on a saucer.',
    });
    const [env] = readJson(path.join(out, 'omniedit/env/metadata/omniedit_env.json'));
    expect(env).toMatchObject({
      instruction: EDITED_SKY,
      instruction_type: 'rewrite',
      instruction_original: 'Give the sky the warm orange glow of a sunset.',
    });
    // One record per line, so large files stay readable and diffable.
    expect(fs.readFileSync(path.join(out, 'hqedit/edit/metadata/hqedit_edit.json'), 'utf8')).toMatch(/^\[\n {2}\{.*\}\n\]\n$/);

    // The manifest lists every data file with its size and hash, in path order.
    const manifest = readJson(path.join(out, 'manifest.json'));
    expect(manifest).toMatchObject({ tool: 'loupe', version: '0.1.0', format: 'gpt-edit', counts: { items: 5, files: 15 } });
    expect(manifest.inProgress).toBeUndefined();
    const paths = manifest.files.map((f: { path: string }) => f.path);
    expect(paths).toEqual(listFiles(out).filter((f) => f !== 'manifest.json'));
    for (const file of manifest.files) {
      const bytes = fs.readFileSync(path.join(out, file.path));
      expect(file.bytes).toBe(bytes.length);
      expect(file.sha256).toBe(crypto.createHash('sha256').update(bytes).digest('hex'));
    }

    // Round trip: the export imported into an empty database gives what was accepted.
    const { db: again } = tempDb();
    const imported = await importGptEdit(again, out);
    expect(imported).toMatchObject({ dataset: 'export', imported: 5, skipped: 0 });
    const expectedVersions: Record<string, { kind: string; text: string }[]> = {
      hqedit_edit_00000001: [{ kind: 'original', text: 'Make the photo look like an old sepia-toned print.' }],
      'omniedit_complex-edit_00000007': [{ kind: 'complex', text: item(db, 'omniedit_complex-edit_00000007').instructions[0].text }],
      omniedit_env_00000005: [
        { kind: 'original', text: 'Give the sky the warm orange glow of a sunset.' },
        { kind: 'rewrite', text: EDITED_SKY },
      ],
      omniedit_style_00000004: [{ kind: 'original', text: 'Make it a pop art piece.' }],
      ultraedit_add_00000010: [{ kind: 'original', text: 'Add a thick red frame around the picture.' }],
    };
    const externalIds = again.$client.prepare<[], string>('SELECT external_id FROM items ORDER BY external_id').pluck().all();
    expect(externalIds).toEqual(ACCEPTED);
    for (const externalId of ACCEPTED) {
      const before = item(db, externalId);
      const after = item(again, externalId);
      expect(after).toMatchObject({ family: before.family, task: before.task, source: before.source, status: 'pending' });
      expect(after.instructions.map(({ kind, text }) => ({ kind, text }))).toEqual(expectedVersions[externalId]);
      expect(after.currentInstructionId).toBe(after.instructions.at(-1)!.id);
      const chosen = before.candidates.find((c) => c.id === before.currentCandidateId)!;
      expect(after.candidates.map(({ width, height }) => ({ width, height }))).toEqual([{ width: chosen.width, height: chosen.height }]);
      expect(after.inputDescription).toBe(before.inputDescription);

      // Every field of the imported record survives, bar the instruction fields.
      const metadataOf = (d: Db) =>
        JSON.parse(d.$client.prepare<[string], string>('SELECT metadata FROM items WHERE external_id = ?').pluck().get(externalId)!);
      const { instruction: _a, instruction_type: _b, instruction_original: _c, ...kept } = metadataOf(db);
      expect(metadataOf(again)).toMatchObject(kept);

      // The exported images are byte-identical to the chosen ones.
      const from = imageFiles(db, externalId, before.currentCandidateId);
      const to = imageFiles(again, externalId, after.currentCandidateId);
      expect(to.source.startsWith(out + path.sep)).toBe(true);
      expect(fs.readFileSync(to.source).equals(fs.readFileSync(from.source))).toBe(true);
      expect(fs.readFileSync(to.output).equals(fs.readFileSync(from.output))).toBe(true);
    }

    // The export's images are now in use by a database: exporting over them is refused.
    await expect(exportGptEdit(again, { out, status: 'all' })).rejects.toThrow(/holds images of an imported dataset/);
  });

  it('writes byte-identical data files when the same filter is exported twice', async () => {
    const { db } = await reviewedSamples();
    const first = path.join(tempDir(), 'one');
    const second = path.join(tempDir(), 'two');
    await exportGptEdit(db, { out: first, status: 'all' });
    await exportGptEdit(db, { out: second, status: 'all' });

    const files = listFiles(first);
    expect(files).toHaveLength(12 * 2 + 11 + 1); // images, one metadata file per task folder, manifest
    expect(listFiles(second)).toEqual(files);
    for (const file of files.filter((f) => f !== 'manifest.json')) {
      expect(fs.readFileSync(path.join(second, file)).equals(fs.readFileSync(path.join(first, file))), file).toBe(true);
    }
    expect(readJson(path.join(second, 'manifest.json')).files).toEqual(readJson(path.join(first, 'manifest.json')).files);
  });

  it('exports only the chosen family and task, and each status on request', async () => {
    const { db } = await reviewedSamples();
    const out = path.join(tempDir(), 'export');
    const rejected = await exportGptEdit(db, { out, status: 'rejected' });
    expect(rejected.items).toBe(1);
    expect(readJson(path.join(out, 'hqedit/edit/metadata/hqedit_edit.json')).map((r: { id: string }) => r.id)).toEqual([
      'hqedit_edit_00000002',
    ]);

    // Pending items export their current choice (this one was accepted, then undone).
    const pending = await exportGptEdit(db, { out, status: 'pending', family: 'ultraedit', task: 'change_color' });
    expect(pending.items).toBe(1);
    expect(listFiles(out).filter((f) => f.includes('metadata/'))).toEqual(['ultraedit/change_color/metadata/ultraedit_change_color.json']);
  });

  it('reports a record whose source image is missing and exports the rest', async () => {
    const { db } = tempDb();
    const samples = copySamples();
    await importGptEdit(db, samples);
    accept(db, 'hqedit_edit_00000001');
    accept(db, 'hqedit_edit_00000002');
    fs.rmSync(path.join(samples, 'hqedit/edit/input/00000001.png'));

    const out = path.join(tempDir(), 'export');
    const summary = await exportGptEdit(db, { out });
    expect(summary.items).toBe(1);
    expect(summary.skipped).toBe(1);
    expect(summary.problems).toEqual([{ item: 'hqedit_edit_00000001', reason: expect.stringMatching(/input image not found/) }]);
    expect(readJson(path.join(out, 'hqedit/edit/metadata/hqedit_edit.json')).map((r: { id: string }) => r.id)).toEqual([
      'hqedit_edit_00000002',
    ]);
    // Nothing of the skipped record is copied.
    expect(listFiles(out)).not.toContain('hqedit/edit/output/00000001.png');
  });

  it('refuses a non-empty folder that is not a Loupe export, and replaces an earlier export', async () => {
    const { db } = await reviewedSamples();
    const foreign = tempDir();
    fs.writeFileSync(path.join(foreign, 'notes.txt'), 'mine');
    await expect(exportGptEdit(db, { out: foreign })).rejects.toThrow(ExportError);
    await expect(exportGptEdit(db, { out: foreign })).rejects.toThrow(/not a Loupe export/);
    expect(fs.readdirSync(foreign)).toEqual(['notes.txt']);

    const out = path.join(tempDir(), 'export');
    await exportGptEdit(db, { out, status: 'all' });
    fs.writeFileSync(path.join(out, 'README.txt'), 'kept');
    await exportGptEdit(db, { out, status: 'rejected' });
    expect(listFiles(out)).toEqual([
      'README.txt',
      'hqedit/edit/input/00000002.png',
      'hqedit/edit/metadata/hqedit_edit.json',
      'hqedit/edit/output/00000002.png',
      'manifest.json',
    ]);
  });

  it('refuses an unknown dataset id', async () => {
    const { db } = tempDb();
    await expect(exportGptEdit(db, { out: path.join(tempDir(), 'x'), datasetId: 42 })).rejects.toThrow(/no dataset with id 42/);
  });

  it('copies a source image shared by several records once', async () => {
    const { db } = tempDb();
    const root = path.join(tempDir(), 'shared');
    const shared = { input: 'input/shared.png' };
    await writeGptEditLayout(root, [gptEditRecord('fam', 'task', 1, shared), gptEditRecord('fam', 'task', 2, shared)], {
      family: 'fam',
      task: 'task',
    });
    await importGptEdit(db, root);

    const out = path.join(tempDir(), 'export');
    const summary = await exportGptEdit(db, { out, status: 'all' });
    expect(summary).toMatchObject({ items: 2, files: 4, problems: [] });
    expect(listFiles(out)).toEqual([
      'fam/task/input/shared.png',
      'fam/task/metadata/fam_task.json',
      'fam/task/output/00000001.png',
      'fam/task/output/00000002.png',
      'manifest.json',
    ]);
    const { db: again } = tempDb();
    expect((await importGptEdit(again, out)).imported).toBe(2);
  });

  it('never writes outside the export for a family or task that is not a plain folder name', async () => {
    const { db } = tempDb();
    const root = path.join(tempDir(), 'evil');
    await writeGptEditLayout(root, [gptEditRecord('fam', 'task', 1, { task: '../../escaped' }), gptEditRecord('fam', 'task', 2)], {
      family: 'fam',
      task: 'task',
    });
    await importGptEdit(db, root);

    const parent = tempDir();
    const out = path.join(parent, 'export');
    const summary = await exportGptEdit(db, { out, status: 'all' });
    expect(summary.items).toBe(1);
    expect(summary.problems).toEqual([{ item: 'fam_task_00000001', reason: expect.stringMatching(/cannot be used as a folder name/) }]);
    expect(fs.readdirSync(parent)).toEqual(['export']);
  });

  it('merges datasets sharing a task folder in id order, page after page, and skips repeated ids', async () => {
    const { db } = tempDb();
    const records = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => gptEditRecord('fam', 'task', from + i));
    const a = path.join(tempDir(), 'a');
    const b = path.join(tempDir(), 'b');
    await writeGptEditLayout(a, records(1, 700), { family: 'fam', task: 'task' });
    await writeGptEditLayout(b, records(701, 1400), { family: 'fam', task: 'task' });
    await importGptEdit(db, a, { dataset: 'a' });
    await importGptEdit(db, b, { dataset: 'b' });
    await importGptEdit(db, a, { dataset: 'a-again' }); // the same records under another dataset

    const out = path.join(tempDir(), 'export');
    const summary = await exportGptEdit(db, { out, status: 'all' });
    expect(summary.items).toBe(1400);
    expect(summary.skipped).toBe(700);
    expect(summary.problems[0].reason).toMatch(/already in the export/);
    const ids = readJson(path.join(out, 'fam/task/metadata/fam_task.json')).map((r: { id: string }) => r.id);
    expect(ids).toEqual(records(1, 1400).map((r) => r.id));
  });
});
