import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTemp, tempDir } from '@/lib/test/factories';
import { bigLayout } from './layouts';
import { run, start, waitFor } from './processes';

afterEach(cleanupTemp);

const N = 10_000;
/** The killed run pauses after each page of 1,000 items it writes: the kill surely lands mid-run, however loaded the machine. */
const SLOW = { LOUPE_TEST_PAGE_DELAY_MS: '1000' };

/** Starts an export and kills it (-9) once it has written part of its data. */
async function killedExport(dataDir: string, out: string) {
  const exporting = start(['cli/loupe.ts', 'export', '--out', out, '--format', 'jsonl', '--status', 'all'], dataDir, SLOW);
  const data = path.join(out, 'data.jsonl');
  // The data file is opened with the first record and written in 4 MB buffers. Each page is followed
  // by a 1 s pause (SLOW), so 1.5 s after the first record the export is surely mid-run.
  await waitFor(() => fs.existsSync(data), 'the export to write its first record');
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  exporting.child.kill('SIGKILL');
  await exporting.exited;
}

describe('kill -9 of an export mid-run', () => {
  it('is marked interrupted; --resume writes it whole into its folder; --clean deletes only its own partial files', async () => {
    const dataDir = tempDir('loupe-export-crash-');
    const imported = await run(['cli/loupe.ts', 'import', await bigLayout(N)], dataDir);
    expect(imported.code, imported.stderr).toBe(0);
    const outs = tempDir('loupe-export-outs-');
    const db = () => new Database(path.join(dataDir, 'loupe.db'), { readonly: true });

    const out = path.join(outs, 'resumed');
    await killedExport(dataDir, out);
    const resumed = await run(['cli/loupe.ts', 'export', '--resume', '1', '--json'], dataDir);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/marked export 1 interrupted/);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ exportId: 2, resumed: 1, items: N, out });
    const lines = fs.readFileSync(path.join(out, 'data.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(N);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.inProgress).toBeUndefined();
    expect(manifest.counts.items).toBe(N);
    // Export 2 replaced export 1 in its folder: export 1 can be neither cleaned nor resumed again.
    const stale = await run(['cli/loupe.ts', 'export', '--clean', '1'], dataDir);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/export 2 has written into export 1's folder since .*resume or clean export 2 instead/);
    expect(fs.readFileSync(path.join(out, 'data.jsonl'), 'utf8').trimEnd().split('\n')).toHaveLength(N);
    expect((await run(['cli/loupe.ts', 'export', '--resume', '1'], dataDir)).code).toBe(1);

    // Cleaning: a folder whose manifest is no longer Loupe's is refused, untouched.
    const cleaned = path.join(outs, 'cleaned');
    await killedExport(dataDir, cleaned);
    const manifestFile = path.join(cleaned, 'manifest.json');
    const stub = fs.readFileSync(manifestFile);
    fs.writeFileSync(manifestFile, '{"somebody": "else"}');
    const refused = await run(['cli/loupe.ts', 'export', '--clean', '3'], dataDir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/does not hold what export 3 \(jsonl\) wrote: it has no Loupe manifest.json; nothing was deleted/);
    expect(fs.existsSync(path.join(cleaned, 'data.jsonl'))).toBe(true);
    fs.writeFileSync(manifestFile, stub);
    const clean = await run(['cli/loupe.ts', 'export', '--clean', '3', '--json'], dataDir);
    expect(clean.code, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ exportId: 3, cleaned: true, folderRemoved: true });
    expect(fs.existsSync(cleaned)).toBe(false);
    // A finished export is neither resumed nor cleaned.
    const done = await run(['cli/loupe.ts', 'export', '--clean', '2'], dataDir);
    expect(done.code).toBe(1);
    expect(done.stderr).toMatch(/export 2 finished/);
    expect(fs.existsSync(path.join(out, 'data.jsonl'))).toBe(true);

    const sqlite = db();
    try {
      expect(sqlite.prepare('SELECT id, status, error FROM exports ORDER BY id').all()).toEqual([
        { id: 1, status: 'interrupted', error: 'resumed as export 2' },
        { id: 2, status: 'done', error: null },
        { id: 3, status: 'interrupted', error: 'its partial output was deleted' },
      ]);
    } finally {
      sqlite.close();
    }
  }, 180_000);
});
