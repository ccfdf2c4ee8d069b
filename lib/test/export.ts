/**
 * Shared by the export tests: the bundled samples imported and reviewed, and checks of
 * an export folder. Test-only (imports vitest).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { Db } from '@/db';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { addHumanInstruction, getReviewItem } from '@/lib/review/items';
import type { Claimant } from '@/lib/review/queue';
import { recordVerdict, undoLastVerdict } from '@/lib/review/verdicts';
import { copySamples, tempDb } from '@/lib/test/factories';

export const alice: Claimant = { holder: 'tab-1', reviewer: 'alice' };
export const EDITED_SKY = 'Make the sky glow orange, like at sunset.';

export function itemId(db: Db, externalId: string): number {
  return db.$client.prepare<[string], number>('SELECT id FROM items WHERE external_id = ?').pluck().get(externalId)!;
}

function versionId(db: Db, externalId: string, kind: string): number {
  return getReviewItem(db, itemId(db, externalId))!.instructions.find((v) => v.kind === kind)!.id;
}

export function accept(db: Db, externalId: string, instructionVersionId?: number) {
  recordVerdict(db, alice, { itemId: itemId(db, externalId), decision: 'accept', instructionVersionId });
}

/** The accepted items of `reviewedSamples`, in export order (family, task, id). */
export const ACCEPTED = [
  'hqedit_edit_00000001',
  'omniedit_complex-edit_00000007',
  'omniedit_env_00000005',
  'omniedit_style_00000004',
  'ultraedit_add_00000010',
];

/**
 * The bundled samples, imported and reviewed: accepts with the original wording of a
 * rewrite and with a reviewer's edit, one reject, an accept undone and redone with the
 * original version, and an accept undone.
 */
export async function reviewedSamples() {
  const { db } = tempDb();
  const samples = copySamples();
  await importGptEdit(db, samples);

  accept(db, 'hqedit_edit_00000001');
  recordVerdict(db, alice, { itemId: itemId(db, 'hqedit_edit_00000002'), decision: 'reject', reasons: ['artifacts'] });
  accept(db, 'omniedit_style_00000004', versionId(db, 'omniedit_style_00000004', 'original'));
  addHumanInstruction(db, itemId(db, 'omniedit_env_00000005'), EDITED_SKY, 'alice');
  accept(db, 'omniedit_env_00000005');
  accept(db, 'omniedit_complex-edit_00000007');
  accept(db, 'ultraedit_add_00000010');
  undoLastVerdict(db, alice);
  addHumanInstruction(db, itemId(db, 'ultraedit_add_00000010'), 'Add a thin red frame.', 'alice');
  accept(db, 'ultraedit_add_00000010', versionId(db, 'ultraedit_add_00000010', 'original'));
  accept(db, 'ultraedit_change_color_00000011');
  undoLastVerdict(db, alice);
  return { db, samples };
}

/** The bytes of an item's source image and of its current edited image. */
export function chosenImages(db: Db, externalId: string): { source: Buffer; edited: Buffer } {
  const row = db.$client
    .prepare<[string], { source: string; edited: string }>(
      `SELECT sr.path || '/' || i.source_path AS source, cr.path || '/' || c.path AS edited
       FROM items i JOIN image_roots sr ON sr.id = i.source_root_id
       JOIN candidates c ON c.id = i.current_candidate_id JOIN image_roots cr ON cr.id = c.root_id
       WHERE i.external_id = ?`,
    )
    .get(externalId)!;
  return { source: fs.readFileSync(row.source), edited: fs.readFileSync(row.edited) };
}

/** Every file under a folder, as sorted POSIX paths relative to it. */
export function listFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

export function readJson(file: string) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export function sha256(data: Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** The manifest names the format and lists every other file of the folder (bar `foreign` ones) with its true size and hash. */
export function expectManifest(out: string, format: string, counts: { items: number; files: number }, foreign: string[] = []) {
  const manifest = readJson(path.join(out, 'manifest.json'));
  expect(manifest).toMatchObject({ tool: 'loupe', version: '0.1.0', format, counts });
  expect(manifest.inProgress).toBeUndefined();
  expect(manifest.files.map((f: { path: string }) => f.path)).toEqual(
    listFiles(out).filter((f) => f !== 'manifest.json' && !foreign.includes(f)),
  );
  let bytes = 0;
  for (const file of manifest.files) {
    const data = fs.readFileSync(path.join(out, file.path));
    expect(file.bytes, file.path).toBe(data.length);
    expect(file.sha256, file.path).toBe(sha256(data));
    bytes += data.length;
  }
  expect(manifest.counts.bytes).toBe(bytes);
  return manifest;
}

/** Two export folders hold the same files with the same bytes (the manifest's creation time aside). */
export function expectIdenticalExports(first: string, second: string, except: string[] = []) {
  const files = listFiles(first);
  expect(listFiles(second)).toEqual(files);
  for (const file of files.filter((f) => f !== 'manifest.json' && !except.includes(f))) {
    expect(fs.readFileSync(path.join(second, file)).equals(fs.readFileSync(path.join(first, file))), file).toBe(true);
  }
  expect(readJson(path.join(second, 'manifest.json')).files.filter((f: { path: string }) => !except.includes(f.path))).toEqual(
    readJson(path.join(first, 'manifest.json')).files.filter((f: { path: string }) => !except.includes(f.path)),
  );
}
