import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTemp, tempDir } from '@/lib/test/factories';
import {
  backgroundExportIdle,
  exportProgress,
  exportsRoot,
  ExportStartError,
  isUnderExportsRoot,
  runningExportId,
  startBackgroundExport,
} from './background';
import { listExports } from './records';
import { ACCEPTED, reviewedSamples } from '@/lib/test/export';

afterEach(async () => {
  await backgroundExportIdle();
  cleanupTemp();
});

describe('background exports', () => {
  it('starts an export without waiting, reports progress, refuses a second one meanwhile', async () => {
    const { db } = await reviewedSamples();
    const dataDir = tempDir();
    const request = { format: 'jsonl' as const, status: 'accepted' as const, createdBy: 'web:alice' };

    const { exportId } = await startBackgroundExport(db, dataDir, request);
    expect(runningExportId()).toBe(exportId);
    expect(exportProgress()[exportId]).toEqual({ done: 0, total: 0 }); // not yet counted: still starting
    const [running] = listExports(db);
    expect(running).toMatchObject({ id: exportId, status: 'running', createdBy: 'web:alice' });
    expect(isUnderExportsRoot(dataDir, running.outPath)).toBe(true);
    expect(path.basename(running.outPath)).toMatch(/^\d+-jsonl$/);

    const second = startBackgroundExport(db, dataDir, { ...request, format: 'parquet' });
    await expect(second).rejects.toThrow(ExportStartError);
    await expect(second).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/still running/) });

    await backgroundExportIdle();
    expect(runningExportId()).toBeNull();
    expect(exportProgress()).toEqual({});
    const [done] = listExports(db);
    expect(done).toMatchObject({ id: exportId, status: 'done', items: ACCEPTED.length });
    const lines = fs.readFileSync(path.join(done.outPath, 'data.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(ACCEPTED.length);
    expect(fs.existsSync(path.join(done.outPath, 'manifest.json'))).toBe(true);
    expect(listExports(db)).toHaveLength(1); // the refused one left no row

    // Free again once finished.
    const next = await startBackgroundExport(db, dataDir, { ...request, status: 'rejected' });
    expect(next.exportId).toBeGreaterThan(exportId);
    await backgroundExportIdle();
    expect(listExports(db)[0]).toMatchObject({ id: next.exportId, status: 'done', items: 1 });
  });

  it('tracks progress while items are written', async () => {
    const { db } = await reviewedSamples();
    const { exportId } = await startBackgroundExport(db, tempDir(), { format: 'jsonl', status: 'all', createdBy: 'web:bob' });
    const seen: number[] = [];
    while (runningExportId() === exportId) {
      const p = exportProgress()[exportId];
      if (p && p.total > 0) seen.push(p.done);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(listExports(db)[0]).toMatchObject({ id: exportId, status: 'done', items: 12 });
  });

  it('answers 400 for a selection that cannot be exported, and stays free', async () => {
    const { db } = await reviewedSamples();
    const start = startBackgroundExport(db, tempDir(), { format: 'jsonl', status: 'accepted', datasetId: 9999, createdBy: 'web:alice' });
    await expect(start).rejects.toMatchObject({ status: 400 });
    expect(runningExportId()).toBeNull();
  });

  it('takes the image mode the form chose: none writes no image file', async () => {
    const { db } = await reviewedSamples();
    const { exportId } = await startBackgroundExport(db, tempDir(), {
      format: 'jsonl',
      status: 'accepted',
      images: 'none',
      createdBy: 'web:alice',
    });
    await backgroundExportIdle();
    const [run] = listExports(db);
    expect(run).toMatchObject({ id: exportId, status: 'done', items: ACCEPTED.length, files: 1 });
    expect(fs.readdirSync(run.outPath).sort()).toEqual(['data.jsonl', 'manifest.json']);
  });

  it('knows which folders are its own', () => {
    const dataDir = tempDir();
    expect(isUnderExportsRoot(dataDir, path.join(exportsRoot(dataDir), '12-jsonl'))).toBe(true);
    expect(isUnderExportsRoot(dataDir, exportsRoot(dataDir))).toBe(false);
    expect(isUnderExportsRoot(dataDir, path.join(exportsRoot(dataDir), '..', 'x'))).toBe(false);
    expect(isUnderExportsRoot(dataDir, path.join(exportsRoot(dataDir), 'a', 'b'))).toBe(false);
    expect(isUnderExportsRoot(dataDir, '/tmp/elsewhere')).toBe(false);
  });
});
