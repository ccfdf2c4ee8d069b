import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTemp, tempDir } from '@/lib/test/factories';
import { ExportError } from './selection';
import { chosenImages, EDITED_SKY, expectIdenticalExports, expectManifest, listFiles, readJson, reviewedSamples } from '@/lib/test/export';
import { exportTraining } from './training';

afterEach(cleanupTemp);

/** data.txt as the training code reads it: `image_root,json_file,need_weight` per line. */
function readDataTxt(out: string) {
  return fs
    .readFileSync(path.join(out, 'data.txt'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [imageRoot, jsonFile, needWeight] = line.split(',');
      return { imageRoot, jsonFile, needWeight };
    });
}

describe('exportTraining', () => {
  it('writes training JSON per task, data.txt and the images, as the training code reads them', async () => {
    const { db } = await reviewedSamples();
    const out = path.join(tempDir(), 'export');
    const summary = await exportTraining(db, { out });
    expect(summary).toMatchObject({ format: 'gpt-image-edit-training', items: 5, files: 16, skipped: 0 });
    const files = listFiles(out);
    expect(files.filter((f) => !f.startsWith('images/'))).toEqual([
      'data.txt',
      'manifest.json',
      'training_json/hqedit_edit.json',
      'training_json/omniedit_complex-edit.json',
      'training_json/omniedit_env.json',
      'training_json/omniedit_style.json',
      'training_json/ultraedit_add.json',
    ]);
    expect(files.filter((f) => f.startsWith('images/'))).toHaveLength(10);
    expect(expectManifest(out, 'gpt-image-edit-training', { items: 5, files: 16 }).options).toEqual({ needWeight: false, images: 'link' });

    // One line per JSON file, absolute paths (the code resolves them from its own working folder).
    const lines = readDataTxt(out);
    expect(lines).toEqual(
      ['hqedit_edit', 'omniedit_complex-edit', 'omniedit_env', 'omniedit_style', 'ultraedit_add'].map((name) => ({
        imageRoot: out,
        jsonFile: path.join(out, 'training_json', `${name}.json`),
        needWeight: 'false',
      })),
    );

    const [env] = readJson(path.join(out, 'training_json/omniedit_env.json'));
    expect(env).toEqual({
      id: 'omniedit_env_00000005',
      image: ['images/omniedit/env/input/00000005.png', 'images/omniedit/env/output/00000005.png'],
      conversations: [
        { from: 'human', value: `<image>\n${EDITED_SKY}` },
        { from: 'gpt', value: '<gen_image>' },
      ],
    });
    // Every record's images, joined to image_root as the code does, are the chosen images.
    for (const { imageRoot, jsonFile } of lines) {
      for (const record of readJson(jsonFile)) {
        const chosen = chosenImages(db, record.id);
        expect(fs.readFileSync(path.join(imageRoot, record.image[0])).equals(chosen.source)).toBe(true);
        expect(fs.readFileSync(path.join(imageRoot, record.image[1])).equals(chosen.edited)).toBe(true);
      }
    }
  });

  it('writes need_weight true on request', async () => {
    const { db } = await reviewedSamples();
    const out = path.join(tempDir(), 'export');
    await exportTraining(db, { out, needWeight: true, family: 'hqedit' });
    expect(readDataTxt(out)).toEqual([{ imageRoot: out, jsonFile: path.join(out, 'training_json/hqedit_edit.json'), needWeight: 'true' }]);
  });

  it('refuses a folder whose path data.txt cannot hold', async () => {
    const { db } = await reviewedSamples();
    const out = path.join(tempDir(), 'a,b');
    await expect(exportTraining(db, { out })).rejects.toThrow(ExportError);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('writes byte-identical files when the same filter is exported twice (data.txt names its folder)', async () => {
    const { db } = await reviewedSamples();
    const first = path.join(tempDir(), 'one');
    const second = path.join(tempDir(), 'two');
    await exportTraining(db, { out: first, status: 'all' });
    await exportTraining(db, { out: second, status: 'all' });
    expectIdenticalExports(first, second, ['data.txt']);
    expect(fs.readFileSync(path.join(second, 'data.txt'), 'utf8')).toBe(
      fs.readFileSync(path.join(first, 'data.txt'), 'utf8').replaceAll(first, second),
    );
  });
});
