import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTemp, tempDir } from '@/lib/test/factories';
import { EXPORT_FORMATS } from './formats';
import { exportItems } from './index';
import { listExports } from './records';
import { expectManifest, listFiles, readJson, reviewedSamples } from '@/lib/test/export';

afterEach(cleanupTemp);

describe('export runs', () => {
  it('records every run in the exports table, done or failed', async () => {
    const { db } = await reviewedSamples();
    const out = path.join(tempDir(), 'export');
    const before = Date.now();
    const summary = await exportItems(db, 'jsonl', { out, family: 'omniedit', createdBy: 'cli:alice' });
    const foreign = tempDir();
    fs.writeFileSync(path.join(foreign, 'notes.txt'), 'mine');
    await expect(exportItems(db, 'parquet', { out: foreign, status: 'all' })).rejects.toThrow(/not a Loupe export/);

    const [failed, done] = listExports(db);
    expect(done).toMatchObject({
      id: summary.exportId,
      format: 'jsonl',
      filter: { status: 'accepted', dataset: null, family: 'omniedit', task: null },
      outPath: out,
      items: 3,
      skipped: 0,
      files: summary.files,
      bytes: summary.bytes,
      status: 'done',
      error: null,
      createdBy: 'cli:alice',
    });
    expect(done.startedAt).toBeGreaterThanOrEqual(before);
    expect(done.finishedAt).toBeGreaterThanOrEqual(done.startedAt);
    expect(summary.bytes).toBe(readJson(path.join(out, 'manifest.json')).counts.bytes);
    expect(failed).toMatchObject({ format: 'parquet', outPath: foreign, status: 'failed', createdBy: 'unknown', items: 0 });
    expect(failed.error).toMatch(/not a Loupe export/);
    expect(listExports(db, { before: failed.id })).toEqual([done]);
  });

  it('writes one format over an earlier export of another, leaving nothing of it behind', async () => {
    const { db } = await reviewedSamples();
    const out = path.join(tempDir(), 'export');
    await exportItems(db, 'gpt-edit', { out });
    fs.writeFileSync(path.join(out, 'README.txt'), 'kept');
    for (const format of [...EXPORT_FORMATS, 'gpt-edit' as const]) {
      const summary = await exportItems(db, format, { out, status: 'rejected' });
      expect(summary.items, format).toBe(1);
      const files = listFiles(out);
      expect(files, format).toContain('README.txt');
      // Every other file is one the manifest lists: nothing of the export before survives.
      expectManifest(out, format, { items: 1, files: summary.files }, ['README.txt']);
    }
  });
});
