import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { cleanupTemp, gptEditRecord, pngBuffer, SAMPLES_DIR, tempDb, tempDir, writeGptEditLayout } from '@/lib/test/factories';
import { bombPng, SVG_WITH_SCRIPT, truncatedJpeg, webpWithWrongRiffSize, writeSparseFile } from '@/lib/test/images';

afterEach(cleanupTemp);

const SAMPLE = path.join(SAMPLES_DIR, 'omniedit/style/input/00000004.png');
const name = (n: number) => `${String(n).padStart(8, '0')}.png`;
const fileId = (file: string) => {
  const stat = fs.statSync(file, { bigint: true });
  return `${stat.dev}:${stat.ino}`;
};

/** Replaces an image of the layout with something else (a link, other bytes, a FIFO...). */
function replace(file: string, make: (file: string) => void) {
  fs.rmSync(file);
  make(file);
}

describe('importing images that are not what they seem', () => {
  it('refuses links that lead outside the dataset and broken or hostile images, naming each; the rest is imported', async () => {
    const root = path.join(tempDir('loupe-images-'), 'gpt-edit');
    const records = Array.from({ length: 12 }, (_, i) => gptEditRecord('omniedit', 'style', i + 1));
    const { taskDir } = await writeGptEditLayout(root, records, { family: 'omniedit', task: 'style' });
    const input = (n: number) => path.join(taskDir, 'input', name(n));
    const output = (n: number) => path.join(taskDir, 'output', name(n));
    const outside = path.join(tempDir('loupe-outside-'), 'secret.png');
    fs.writeFileSync(outside, await pngBuffer(64, 48));

    replace(input(2), (f) => fs.symlinkSync('/etc/passwd', f));
    replace(output(3), (f) => fs.symlinkSync(outside, f)); // a real image, but not the dataset's
    replace(input(4), (f) => fs.symlinkSync(path.join('..', 'input', name(1)), f)); // a link inside: fine
    const [jpeg, webp] = [await truncatedJpeg(SAMPLE), await webpWithWrongRiffSize(SAMPLE)];
    replace(output(5), (f) => fs.writeFileSync(f, jpeg));
    replace(input(6), (f) => fs.writeFileSync(f, bombPng(30_000, 30_000)));
    replace(input(7), (f) => fs.writeFileSync(f, SVG_WITH_SCRIPT));
    replace(input(8), (f) => writeSparseFile(f, 1024 ** 3));
    replace(output(9), (f) => fs.writeFileSync(f, webp));
    replace(input(10), (f) => execFileSync('mkfifo', [f])); // would block a plain open() forever
    replace(input(11), (f) => fs.mkdirSync(f));

    const { db } = tempDb();
    const summary = await importGptEdit(db, root);
    const file = 'omniedit/style/metadata/omniedit_style.json';
    const problem = (n: number, reason: string) => ({ file, record: `omniedit_style_${name(n).slice(0, 8)}`, reason });
    expect(summary.problems).toEqual([
      problem(2, `input input/${name(2)}: image file leads outside its folder (a link to elsewhere)`),
      problem(3, `output output/${name(3)}: image file leads outside its folder (a link to elsewhere)`),
      problem(5, `output output/${name(5)}: truncated JPEG (no end-of-image marker)`),
      problem(6, `input input/${name(6)}: image is 30000x30000, over the 100-megapixel limit`),
      problem(7, `input input/${name(7)}: SVG is not an accepted image type`),
      problem(8, `input input/${name(8)}: not a decodable image`),
      problem(
        9,
        expect.stringMatching(
          new RegExp(`^output output/${name(9)}: truncated WebP \\(its RIFF header says \\d+ bytes, the file has \\d+\\)$`),
        ),
      ),
      problem(10, `input input/${name(10)}: image path is not a regular file`),
      problem(11, `input input/${name(11)}: image path is not a regular file`),
    ]);
    expect(summary.imported).toBe(3);

    // Each image's identity (dev:ino, of the real file behind a link) is recorded for serving.
    const rows = db.$client
      .prepare(
        `SELECT i.external_id AS id, i.source_file_id AS source, c.file_id AS candidate
         FROM items i JOIN candidates c ON c.id = i.current_candidate_id ORDER BY i.external_id`,
      )
      .all();
    expect(rows).toEqual([
      { id: 'omniedit_style_00000001', source: fileId(input(1)), candidate: fileId(output(1)) },
      { id: 'omniedit_style_00000004', source: fileId(input(1)), candidate: fileId(output(4)) },
      { id: 'omniedit_style_00000012', source: fileId(input(12)), candidate: fileId(output(12)) },
    ]);
  });

  it('refuses a dataset image whose folder is a link to a folder outside the dataset', async () => {
    const root = path.join(tempDir('loupe-images-'), 'gpt-edit');
    const { taskDir } = await writeGptEditLayout(root, [gptEditRecord('omniedit', 'style', 1)], { family: 'omniedit', task: 'style' });
    const elsewhere = tempDir('loupe-elsewhere-');
    fs.renameSync(path.join(taskDir, 'output'), path.join(elsewhere, 'output'));
    fs.symlinkSync(path.join(elsewhere, 'output'), path.join(taskDir, 'output'));
    const { db } = tempDb();
    const summary = await importGptEdit(db, root);
    expect(summary.problems.map((p) => p.reason)).toEqual([
      `output output/${name(1)}: image file leads outside its folder (a link to elsewhere)`,
    ]);
  });
});
