import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runLoupe } from '@/lib/test/cli';
import { cleanupTemp, copySamples, gptEditRecord, tempDir, writeGptEditLayout } from '@/lib/test/factories';
import { run } from './processes';

afterEach(cleanupTemp);

/** A gpt-edit layout of `n` records in one task folder. */
async function layout(family: string, task: string, n: number): Promise<string> {
  const root = path.join(tempDir('loupe-concurrent-'), 'gpt-edit');
  await writeGptEditLayout(
    root,
    Array.from({ length: n }, (_, i) => gptEditRecord(family, task, i)),
    { family, task },
  );
  return root;
}

describe('concurrent writers on one data folder', () => {
  it('two imports and a server-like claim load in three processes all succeed', async () => {
    const dataDir = tempDir('loupe-concurrent-data-');
    // Something to claim: the samples are dataset 1.
    expect(runLoupe(dataDir, ['import', copySamples()]).code).toBe(0);
    const [a, b] = await Promise.all([layout('omniedit', 'alpha', 6000), layout('ultraedit', 'beta', 6000)]);

    const started = Date.now();
    const [importA, importB, claims] = await Promise.all([
      run(['cli/loupe.ts', 'import', a, '--dataset', 'a', '--json'], dataDir),
      run(['cli/loupe.ts', 'import', b, '--dataset', 'b', '--json'], dataDir),
      run(['cli/faults/claim-load.ts', '6000'], dataDir),
    ]);
    expect(importA.code, importA.stderr).toBe(0);
    expect(importB.code, importB.stderr).toBe(0);
    expect(claims.code, claims.stdout + claims.stderr).toBe(0);
    expect(JSON.parse(importA.stdout)).toMatchObject({ imported: 6000, skipped: 0 });
    expect(JSON.parse(importB.stdout)).toMatchObject({ imported: 6000, skipped: 0 });
    expect(JSON.parse(claims.stdout).claims).toBeGreaterThan(50);
    console.log(
      `two imports of 6000 + claim load: ${((Date.now() - started) / 1000).toFixed(1)} s, ${JSON.parse(claims.stdout).claims} claims`,
    );

    const sqlite = new Database(path.join(dataDir, 'loupe.db'), { readonly: true });
    try {
      expect(sqlite.prepare('SELECT count(*) FROM items').pluck().get()).toBe(12 + 12000);
      // item_counts stayed exact under the interleaving.
      expect(sqlite.prepare('SELECT sum(n) FROM item_counts').pluck().get()).toBe(12 + 12000);
      expect(sqlite.prepare(`SELECT count(*) FROM import_runs WHERE status != 'done'`).pluck().get()).toBe(0);
    } finally {
      sqlite.close();
    }
  }, 60_000);
});
