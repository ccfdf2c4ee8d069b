import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTemp, tempDir } from '@/lib/test/factories';
import { exportJsonl } from './jsonl';
import { ACCEPTED, chosenImages, EDITED_SKY, expectIdenticalExports, expectManifest, listFiles, reviewedSamples } from '@/lib/test/export';

afterEach(cleanupTemp);

function readLines(file: string) {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

describe('exportJsonl', () => {
  it('writes one record per accepted triplet, with its images beside', async () => {
    const { db } = await reviewedSamples();
    const out = path.join(tempDir(), 'export');
    const progress: [number, number][] = [];
    const summary = await exportJsonl(db, { out, onProgress: (done, total) => progress.push([done, total]) });
    expect(summary).toMatchObject({ out, format: 'jsonl', items: 5, files: 11, skipped: 0, problems: [] });
    expect(progress.at(-1)).toEqual([5, 5]);
    expect(listFiles(out)).toEqual([
      'data.jsonl',
      'images/hqedit/edit/input/00000001.png',
      'images/hqedit/edit/output/00000001.png',
      'images/omniedit/complex-edit/input/00000007.png',
      'images/omniedit/complex-edit/output/00000007.png',
      'images/omniedit/env/input/00000005.png',
      'images/omniedit/env/output/00000005.png',
      'images/omniedit/style/input/00000004.png',
      'images/omniedit/style/output/00000004.png',
      'images/ultraedit/add/input/00000010.png',
      'images/ultraedit/add/output/00000010.png',
      'manifest.json',
    ]);
    expectManifest(out, 'jsonl', { items: 5, files: 11 });

    const records = readLines(path.join(out, 'data.jsonl'));
    expect(records.map((r) => r.id)).toEqual(ACCEPTED);
    const env = records.find((r) => r.id === 'omniedit_env_00000005');
    expect(env).toEqual({
      id: 'omniedit_env_00000005',
      dataset: 'gpt-edit',
      family: 'omniedit',
      task: 'env',
      instruction: EDITED_SKY,
      instruction_type: 'rewrite',
      instruction_original: 'Give the sky the warm orange glow of a sunset.',
      source: 'images/omniedit/env/input/00000005.png',
      edited: 'images/omniedit/env/output/00000005.png',
      metadata: { dataset_source: 'omniedit', task: 'env', input_description: expect.any(String) },
      verdict: { decision: 'accept', reviewer: 'alice', reasons: [], at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) },
      candidate: { origin: 'dataset', simulated: false, provenance: expect.any(Object) },
    });
    // The rewritten item accepted with its original wording: no instruction_original.
    const style = records.find((r) => r.id === 'omniedit_style_00000004');
    expect(style).toMatchObject({ instruction: 'Make it a pop art piece.', instruction_type: 'original' });
    expect(style).not.toHaveProperty('instruction_original');
    // Accepted with the original after an undo and an edit: the live verdict's version.
    expect(records.find((r) => r.id === 'ultraedit_add_00000010').instruction).toBe('Add a thick red frame around the picture.');

    for (const record of records) {
      const chosen = chosenImages(db, record.id);
      expect(fs.readFileSync(path.join(out, record.source)).equals(chosen.source), record.id).toBe(true);
      expect(fs.readFileSync(path.join(out, record.edited)).equals(chosen.edited), record.id).toBe(true);
    }
  });

  it('carries the reject verdict of rejected items and none for pending ones', async () => {
    const { db } = await reviewedSamples();
    const out = path.join(tempDir(), 'export');
    await exportJsonl(db, { out, status: 'rejected' });
    const [rejected] = readLines(path.join(out, 'data.jsonl'));
    expect(rejected).toMatchObject({
      id: 'hqedit_edit_00000002',
      verdict: { decision: 'reject', reviewer: 'alice', reasons: ['artifacts'] },
    });

    await exportJsonl(db, { out, status: 'pending', family: 'ultraedit', task: 'change_color' });
    const pending = readLines(path.join(out, 'data.jsonl'));
    expect(pending.map((r) => r.id)).toEqual(['ultraedit_change_color_00000011']);
    expect(pending[0].verdict).toBeNull();
    // The earlier export's images are gone.
    expect(listFiles(out).filter((f) => f.startsWith('images/hqedit'))).toEqual([]);
  });

  it('writes byte-identical data files when the same filter is exported twice', async () => {
    const { db } = await reviewedSamples();
    const first = path.join(tempDir(), 'one');
    const second = path.join(tempDir(), 'two');
    await exportJsonl(db, { out: first, status: 'all' });
    await exportJsonl(db, { out: second, status: 'all' });
    expect(readLines(path.join(first, 'data.jsonl'))).toHaveLength(12);
    expectIdenticalExports(first, second);
  });

  it('writes an empty data file when nothing matches', async () => {
    const { db } = await reviewedSamples();
    const out = path.join(tempDir(), 'export');
    const summary = await exportJsonl(db, { out, family: 'nothing-here' });
    expect(summary).toMatchObject({ items: 0, files: 1 });
    expect(fs.readFileSync(path.join(out, 'data.jsonl'), 'utf8')).toBe('');
  });
});
