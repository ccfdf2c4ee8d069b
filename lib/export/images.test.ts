import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { smallTmpfs } from '@/cli/faults/tmpfs';
import { parseStdout, runLoupe } from '@/lib/test/cli';
import { chosenImages, expectManifest, itemId, listFiles, reviewedSamples } from '@/lib/test/export';
import { imageStoreDir, storeImage } from '@/lib/images/store';
import { cleanupTemp, copySamples, tempDir } from '@/lib/test/factories';
import { sha256FromStoreName, storePath, type ImageRef } from './images';
import { exportItems } from './index';
import { ExportError } from './selection';
import { NotEnoughSpace } from './space';

afterEach(cleanupTemp);

const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');
const jsonl = (out: string) =>
  fs
    .readFileSync(path.join(out, 'data.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
const inode = (file: string) => fs.statSync(file).ino;
/** The files of the imported samples, by inode (what a hard link shares). */
const sampleInodes = (db: Awaited<ReturnType<typeof reviewedSamples>>['db']) => {
  const roots = db.$client.prepare<[], string>('SELECT path FROM image_roots').pluck().all();
  return new Set(
    roots.flatMap((root) =>
      (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.png')).map((f) => inode(path.join(root, f))),
    ),
  );
};
/** A folder on another filesystem than the temporary folders (tmpfs), when there is one. */
const otherDisk = ['/dev/shm'].find((dir) => fs.existsSync(dir) && fs.statSync(dir).dev !== fs.statSync(os.tmpdir()).dev);

describe('--images copy, link and none', () => {
  it('copy writes files of their own; link hard-links the imported files; both list them in the manifest with their SHA-256', async () => {
    const { db } = await reviewedSamples();
    const originals = sampleInodes(db);

    const copied = path.join(tempDir(), 'copy');
    const copy = await exportItems(db, 'jsonl', { out: copied, images: 'copy' });
    expect(copy).toMatchObject({ items: 5, images: 'copy', imageCounts: { copied: 10, linked: 0, referenced: 0 } });
    const copiedImages = listFiles(copied).filter((f) => f.startsWith('images/'));
    expect(copiedImages).toHaveLength(10);
    for (const file of copiedImages) expect(originals.has(inode(path.join(copied, file))), file).toBe(false);

    const linked = path.join(tempDir(), 'link');
    const link = await exportItems(db, 'jsonl', { out: linked, images: 'link' });
    expect(link).toMatchObject({ items: 5, images: 'link', imageCounts: { copied: 0, linked: 10, referenced: 0 } });
    const linkedImages = listFiles(linked).filter((f) => f.startsWith('images/'));
    expect(linkedImages).toEqual(copiedImages);
    for (const file of linkedImages) {
      expect(originals.has(inode(path.join(linked, file))), file).toBe(true);
      expect(fs.readFileSync(path.join(linked, file)).equals(fs.readFileSync(path.join(copied, file)))).toBe(true);
    }
    expect(jsonl(linked)).toEqual(jsonl(copied));
    expectManifest(linked, 'jsonl', { items: 5, files: 11 });
    expect(expectManifest(copied, 'jsonl', { items: 5, files: 11 }).options).toEqual({ images: 'copy' });
  });

  it('the default is link when the images and the export folder share a filesystem', async () => {
    const { db } = await reviewedSamples();
    const summary = await exportItems(db, 'gpt-edit', { out: path.join(tempDir(), 'out') });
    expect(summary).toMatchObject({ images: 'link', imageCounts: { linked: 10 } });
    expect(summary.notices[0]).toMatch(/share a filesystem/);
  });

  it.skipIf(!otherDisk)('on another filesystem: the default copies, and link falls back to copying with a notice', async () => {
    const { db } = await reviewedSamples();
    const originals = sampleInodes(db);
    const base = fs.mkdtempSync(path.join(otherDisk!, 'loupe-export-'));
    try {
      const byDefault = await exportItems(db, 'jsonl', { out: path.join(base, 'default') });
      expect(byDefault).toMatchObject({ images: 'copy', imageCounts: { copied: 10, linked: 0 } });
      expect(byDefault.notices[0]).toMatch(/another filesystem/);

      const out = path.join(base, 'link');
      const link = await exportItems(db, 'jsonl', { out, images: 'link' });
      expect(link).toMatchObject({ items: 5, images: 'link', imageCounts: { copied: 10, linked: 0 } });
      expect(link.notices).toEqual([
        'hard links refused (EXDEV: the images and the export folder are on different filesystems): 10 images copied instead',
      ]);
      for (const file of listFiles(out).filter((f) => f.startsWith('images/')))
        expect(originals.has(inode(path.join(out, file)))).toBe(false);
      expectManifest(out, 'jsonl', { items: 5, files: 11 });
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });

  it('none writes no image, and each reference (root, path, sha256) names the bytes a copy holds', async () => {
    const { db } = await reviewedSamples();
    const copied = path.join(tempDir(), 'copy');
    await exportItems(db, 'jsonl', { out: copied, images: 'copy' });
    const out = path.join(tempDir(), 'none');
    const none = await exportItems(db, 'jsonl', { out, images: 'none' });
    expect(none).toMatchObject({ items: 5, files: 1, images: 'none', imageCounts: { referenced: 10, copied: 0, linked: 0 } });
    expect(listFiles(out)).toEqual(['data.jsonl', 'manifest.json']);
    const withFiles = jsonl(copied);
    for (const [i, record] of jsonl(out).entries()) {
      expect(record.source).toBeUndefined();
      for (const [ref, file] of [
        [record.source_ref, withFiles[i].source],
        [record.edited_ref, withFiles[i].edited],
      ] as [ImageRef, string][]) {
        const bytes = fs.readFileSync(storePath(ref));
        expect(sha256(bytes)).toBe(ref.sha256);
        expect(bytes.equals(fs.readFileSync(path.join(copied, file)))).toBe(true);
      }
      const { source_ref: _s, edited_ref: _e, ...rest } = record;
      const { source: _a, edited: _b, ...same } = withFiles[i];
      expect(rest).toEqual(same);
    }
  });

  it("link shares a stored image read-only, so writing through the export cannot rewrite the store's; none names it by its store name", async () => {
    const { db } = await reviewedSamples();
    const id = itemId(db, 'hqedit_generate_00000003'); // pending: its current edit is exported
    const stored = await storeImage(db, chosenImages(db, 'hqedit_generate_00000003').edited);
    const file = path.join(imageStoreDir(db), ...stored.path.split('/'));
    expect(fs.statSync(file).mode & 0o777).toBe(0o444);
    fs.chmodSync(file, 0o644); // as a store written before files were stored read-only holds it
    const candidate = db.$client
      .prepare(
        `INSERT INTO candidates (item_id, origin, root_id, path, file_id, width, height)
         SELECT item_id, 'regenerated', ?, ?, ?, width, height FROM candidates WHERE item_id = ? AND origin = 'dataset'`,
      )
      .run(stored.rootId, stored.path, stored.fileId, id).lastInsertRowid;
    db.$client.prepare('UPDATE items SET current_candidate_id = ? WHERE id = ?').run(candidate, id);

    const out = path.join(tempDir(), 'link');
    await exportItems(db, 'jsonl', { out, images: 'link', status: 'all' });
    const record = jsonl(out).find((r) => r.id === 'hqedit_generate_00000003')!;
    const exported = path.join(out, record.edited as string);
    expect(inode(exported)).toBe(inode(file));
    expect(fs.statSync(file).mode & 0o777).toBe(0o444);
    // A tool rewriting the exported image in place is refused (root ignores file modes: nothing to show then).
    if (process.getuid?.() !== 0) expect(() => fs.writeFileSync(exported, 'rewritten')).toThrow(/EACCES/);
    expect(sha256(fs.readFileSync(file))).toBe(stored.sha256);

    const none = path.join(tempDir(), 'none');
    await exportItems(db, 'jsonl', { out: none, images: 'none', status: 'all' });
    const referenced = jsonl(none).find((r) => r.id === 'hqedit_generate_00000003')!;
    expect(referenced.edited_ref).toEqual({ root: imageStoreDir(db), path: stored.path, sha256: stored.sha256 });
    const { source_ref: _s, edited_ref: _e, ...rest } = referenced;
    const { source: _a, edited: _b, ...same } = record;
    expect(rest).toEqual(same);
  });

  it('none still checks an image it must read for its SHA-256: a missing one leaves its item out', async () => {
    const { db } = await reviewedSamples();
    const root = db.$client.prepare<[], string>("SELECT path FROM image_roots WHERE path LIKE '%/hqedit/edit'").pluck().get()!;
    fs.rmSync(path.join(root, 'output', '00000001.png'));
    const none = await exportItems(db, 'jsonl', { out: path.join(tempDir(), 'none'), images: 'none' });
    expect(none).toMatchObject({
      items: 4,
      skipped: 1,
      problems: [{ item: 'hqedit_edit_00000001', reason: expect.stringMatching(/output image not found/) }],
    });
  });

  it('none in the gpt-edit and training layouts: references beside the paths, no image files', async () => {
    const { db } = await reviewedSamples();
    const gptEdit = path.join(tempDir(), 'gpt-edit');
    await exportItems(db, 'gpt-edit', { out: gptEdit, images: 'none' });
    expect(listFiles(gptEdit).every((f) => f === 'manifest.json' || f.includes('/metadata/'))).toBe(true);
    const records = JSON.parse(fs.readFileSync(path.join(gptEdit, 'hqedit/edit/metadata/hqedit_edit.json'), 'utf8'));
    expect(records[0]).toMatchObject({ input: 'input/00000001.png', input_ref: { path: 'input/00000001.png' } });
    expect(sha256(fs.readFileSync(storePath(records[0].output_ref)))).toBe(records[0].output_ref.sha256);

    const training = path.join(tempDir(), 'training');
    await exportItems(db, 'gpt-image-edit-training', { out: training, images: 'none' });
    expect(listFiles(training).some((f) => f.startsWith('images/'))).toBe(false);
    const [sample] = JSON.parse(fs.readFileSync(path.join(training, 'training_json/hqedit_edit.json'), 'utf8'));
    // Absolute paths into the store: the training code joins them to image_root, which keeps an absolute path.
    for (const image of sample.image) expect(path.isAbsolute(image) && fs.existsSync(image)).toBe(true);
  });

  it('refuses link and none for the formats that embed their images', async () => {
    const { db } = await reviewedSamples();
    await expect(exportItems(db, 'webdataset', { out: path.join(tempDir(), 'x'), images: 'link' })).rejects.toThrow(ExportError);
    await expect(exportItems(db, 'parquet', { out: path.join(tempDir(), 'x'), images: 'none' })).rejects.toThrow(
      /parquet embeds its images/,
    );
  });

  it('takes the SHA-256 from a content-addressed store name only under a store root', () => {
    const hash = 'ab' + 'c'.repeat(62);
    expect(sha256FromStoreName(new Set(['/data/images']), '/data/images', `ab/${hash}.png`)).toBe(hash);
    expect(sha256FromStoreName(new Set(['/data/images']), 's3://bucket/store', `ab/${hash}.png`)).toBe(hash);
    expect(sha256FromStoreName(new Set(['/data/images']), '/datasets/x', `ab/${hash}.png`)).toBeUndefined();
    expect(sha256FromStoreName(new Set(['/data/images']), '/data/images', `cd/${hash}.png`)).toBeUndefined();
  });
});

describe('the size, said and checked before anything is written', () => {
  it('refuses an export whose estimate is over the free space: nothing written, the run failed as a full disk', async () => {
    const { db } = await reviewedSamples();
    const out = path.join(tempDir(), 'out');
    const plans: unknown[] = [];
    const error = await exportItems(db, 'jsonl', {
      out,
      images: 'copy',
      freeSpace: async () => 100_000,
      onPlan: (plan) => plans.push(plan),
    }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    const cause = (error as Error).cause as NotEnoughSpace;
    expect(cause).toBeInstanceOf(NotEnoughSpace);
    expect(cause.message).toMatch(new RegExp(`about 2\\.\\d MB on the disk of ${out} \\(100\\.0 KB free\\): not enough free space`));
    expect(plans).toEqual([{ images: 'copy', estimatedBytes: expect.any(Number), freeBytes: 100_000 }]);
    // The samples' 10 images are about 2.1 MB.
    expect(cause.plan.estimatedBytes).toBeGreaterThan(2_000_000);
    expect(cause.plan.estimatedBytes).toBeLessThan(2_400_000);
    expect(fs.existsSync(out)).toBe(false);
    expect(db.$client.prepare('SELECT status, error FROM exports').get()).toEqual({
      status: 'failed',
      error: `no space left on the disk of ${out} (ENOSPC)`,
    });
    // Links and references need a few KB.
    const linked = await exportItems(db, 'jsonl', { out, images: 'link', freeSpace: async () => 2_000_000 });
    expect(linked.estimatedBytes).toBeLessThan(20_000);
    expect(linked.items).toBe(5);
  });

  const tmpfs = smallTmpfs(2 * 1024 * 1024);
  afterAll(() => tmpfs?.unmount());

  it.skipIf(!tmpfs)('on a real 2 MB tmpfs: the CLI says the size, refuses copies (exit 28), and writes references', async () => {
    const dataDir = tempDir('loupe-data-');
    expect(runLoupe(dataDir, ['import', copySamples(), '--json']).code).toBe(0);
    const out = path.join(tmpfs!.dir, 'out');
    const refused = runLoupe(dataDir, ['export', '--out', out, '--status', 'all', '--format', 'jsonl', '--json']);
    expect(refused.code, refused.stderr).toBe(28);
    expect(refused.stderr).toMatch(
      /Export as jsonl, images copied \(images in .* are on another filesystem than the export folder: copied\): about [\d.]+ MB on the disk of/,
    );
    expect(refused.stderr).toMatch(/not enough free space; free some, choose another folder, or use --images link or none/);
    expect(parseStdout(refused.stdout).error).toMatch(/no space left to write/);
    expect(fs.readdirSync(tmpfs!.dir)).toEqual([]);

    const none = runLoupe(dataDir, ['export', '--out', out, '--status', 'all', '--format', 'jsonl', '--images', 'none', '--json']);
    expect(none.code, none.stderr).toBe(0);
    expect(parseStdout(none.stdout)).toMatchObject({ items: 12, files: 1, images: 'none', imageCounts: { referenced: 24 } });
    const sqlite = new Database(path.join(dataDir, 'loupe.db'), { readonly: true });
    try {
      expect(sqlite.prepare('SELECT status FROM exports ORDER BY id').pluck().all()).toEqual(['failed', 'done']);
    } finally {
      sqlite.close();
    }
    const bad = runLoupe(dataDir, ['export', '--out', out, '--images', 'symlink']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown --images symlink \(known: copy, link, none\)/);
  });
});
