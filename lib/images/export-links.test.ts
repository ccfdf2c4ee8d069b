import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { exportGptEdit } from '@/lib/export/gpt-edit';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { cleanupTemp, copySamples, pngBuffer, tempDb, tempDir } from '@/lib/test/factories';

afterEach(cleanupTemp);

it('an export copies no file swapped after import for a link out of the dataset or for another file', async () => {
  const { db } = tempDb();
  const samples = copySamples();
  await importGptEdit(db, samples);
  const input1 = path.join(samples, 'hqedit/edit/input/00000001.png');
  fs.rmSync(input1);
  fs.symlinkSync('/etc/passwd', input1);
  const output2 = path.join(samples, 'hqedit/edit/output/00000002.png');
  fs.writeFileSync(`${output2}.new`, await pngBuffer(8, 8));
  fs.renameSync(`${output2}.new`, output2);

  const out = path.join(tempDir(), 'export');
  const summary = await exportGptEdit(db, { out, status: 'all' });
  expect(summary.problems).toEqual([
    { item: 'hqedit_edit_00000001', reason: 'image path: image file leads outside its folder (a link to elsewhere)' },
    { item: 'hqedit_edit_00000002', reason: 'image path: image file changed since it was imported' },
  ]);
  const copied = fs.readdirSync(out, { recursive: true, encoding: 'utf8' }).map((f) => path.join(out, f));
  for (const file of copied) {
    if (fs.statSync(file).isFile()) expect(fs.readFileSync(file, 'utf8'), file).not.toContain('root:x:0:0');
  }
  expect(summary.items).toBe(10);
});
