import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { cleanupTemp, tempDir } from '@/lib/test/factories';
import { withDownloads } from './download';
import { exportItems } from './index';
import { listExports } from './records';
import { cleanExport, resumeExport } from './resume';
import { reviewedSamples } from '@/lib/test/export';

afterEach(cleanupTemp);

/** What a kill -9 and the next start's sweep leave: the run interrupted. */
function interrupt(db: Db, id: number) {
  db.$client.prepare(`UPDATE exports SET status = 'interrupted', error = 'cut off', finished_at = NULL WHERE id = ?`).run(id);
}

const cleanable = (db: Db) => Object.fromEntries(withDownloads(tempDir(), listExports(db)).map((run) => [run.id, run.cleanable]));

describe('resuming and cleaning an unfinished export', () => {
  it('after --resume, the old run can be neither cleaned nor resumed: the folder holds the new export', async () => {
    const { db } = await reviewedSamples();
    const out = path.join(tempDir(), 'export');
    const first = await exportItems(db, 'jsonl', { out, status: 'all' });
    interrupt(db, first.exportId);
    expect(cleanable(db)).toEqual({ [first.exportId]: true });

    const resumed = await resumeExport(db, first.exportId);
    expect(listExports(db).map(({ id, status, error }) => ({ id, status, error }))).toEqual([
      { id: resumed.exportId, status: 'done', error: null },
      { id: first.exportId, status: 'interrupted', error: `resumed as export ${resumed.exportId}` },
    ]);
    const written = fs.readFileSync(path.join(out, 'data.jsonl'));

    await expect(cleanExport(db, first.exportId)).rejects.toThrow(
      `export ${resumed.exportId} has written into export ${first.exportId}'s folder since`,
    );
    await expect(resumeExport(db, first.exportId)).rejects.toThrow(/resume or clean export \d+ instead/);
    expect(fs.readFileSync(path.join(out, 'data.jsonl'))).toEqual(written);
    expect(cleanable(db)).toEqual({ [first.exportId]: false, [resumed.exportId]: false });
  });

  it('a run refused because its folder holds the user files is not cleaned, and not offered for cleaning', async () => {
    const { db } = await reviewedSamples();
    const out = tempDir();
    fs.mkdirSync(path.join(out, 'images'));
    fs.writeFileSync(path.join(out, 'images', 'mine.png'), 'precious');
    fs.writeFileSync(path.join(out, 'data.jsonl'), '{"mine": true}\n');
    await expect(exportItems(db, 'jsonl', { out, status: 'all' })).rejects.toThrow(/not a Loupe export/);
    const [failed] = listExports(db);
    expect(failed.status).toBe('failed');
    expect(cleanable(db)).toEqual({ [failed.id]: false });

    await expect(cleanExport(db, failed.id)).rejects.toThrow(/has no Loupe manifest.json; nothing was deleted/);
    expect(fs.readFileSync(path.join(out, 'images', 'mine.png'), 'utf8')).toBe('precious');
    expect(fs.readFileSync(path.join(out, 'data.jsonl'), 'utf8')).toBe('{"mine": true}\n');
  });

  it("a run's clean refuses a folder another export (not a resume) has written since, and a manifest of no run", async () => {
    const { db } = await reviewedSamples();
    const out = path.join(tempDir(), 'export');
    const first = await exportItems(db, 'jsonl', { out, status: 'all' });
    interrupt(db, first.exportId);
    const second = await exportItems(db, 'jsonl', { out, status: 'accepted' });
    await expect(cleanExport(db, first.exportId)).rejects.toThrow(`export ${second.exportId} has written into`);
    expect(fs.existsSync(path.join(out, 'data.jsonl'))).toBe(true);

    // The row check aside, the manifest must name the run: an older manifest (no run) is not its.
    interrupt(db, second.exportId);
    const manifest = path.join(out, 'manifest.json');
    fs.writeFileSync(manifest, fs.readFileSync(manifest, 'utf8').replace(/"run": \d+,/, ''));
    await expect(cleanExport(db, second.exportId)).rejects.toThrow(/holds an export of no recorded run; nothing was deleted/);
    expect(fs.existsSync(path.join(out, 'data.jsonl'))).toBe(true);
  });

  it("cleans the run's own partial output", async () => {
    const { db } = await reviewedSamples();
    const out = path.join(tempDir(), 'export');
    const run = await exportItems(db, 'jsonl', { out, status: 'all' });
    interrupt(db, run.exportId);
    expect(await cleanExport(db, run.exportId)).toEqual({ out, folderRemoved: true });
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a resume cut off before it wrote its own manifest can still be cleaned (the folder holds the run it replaced)', async () => {
    const { db } = await reviewedSamples();
    const out = path.join(tempDir(), 'export');
    const first = await exportItems(db, 'jsonl', { out, status: 'all' });
    interrupt(db, first.exportId);
    // What a resume that died at once leaves: its row (naming it in the old run), the old run's manifest.
    const second = Number(
      db.$client
        .prepare(
          `INSERT INTO exports (format, filter, out_path, status, created_by, started_at) SELECT format, filter, out_path, 'interrupted', 't', 0 FROM exports WHERE id = ?`,
        )
        .run(first.exportId).lastInsertRowid,
    );
    await expect(cleanExport(db, first.exportId)).rejects.toThrow(/resume or clean export \d+ instead/);
    expect(await cleanExport(db, second)).toEqual({ out, folderRemoved: true });
  });

  it('a run cut off before its stub never cleans the finished export it would have replaced', async () => {
    const { db } = await reviewedSamples();
    const out = path.join(tempDir(), 'export');
    await exportItems(db, 'jsonl', { out, status: 'all' });
    const cut = Number(
      db.$client
        .prepare(
          `INSERT INTO exports (format, filter, out_path, status, created_by, started_at) SELECT format, filter, out_path, 'interrupted', 't', 0 FROM exports`,
        )
        .run().lastInsertRowid,
    );
    await expect(cleanExport(db, cut)).rejects.toThrow(/holds export 1; nothing was deleted/);
    expect(fs.existsSync(path.join(out, 'data.jsonl'))).toBe(true);
  });
});
