import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { run, start, waitFor } from '@/cli/faults/processes';
import { cleanupTemp, tempDir } from '@/lib/test/factories';
import { gzipTar, syntheticTask, writeParts } from '@/lib/test/tarball';

afterEach(cleanupTemp);

const N = 6000;
/** The killed run pauses after each batch of 2,000 it writes: the kill lands mid-stream however loaded the machine. */
const SLOW = { LOUPE_TEST_PAGE_DELAY_MS: '1000' };

/** Every file in the store with its inode and modification time: a rewrite changes one of them. */
function storeFiles(dataDir: string): Map<string, string> {
  const dir = path.join(dataDir, 'images');
  const files = new Map<string, string>();
  if (!fs.existsSync(dir)) return files;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[]) {
    if (!entry.isFile() || entry.name.endsWith('.tmp')) continue;
    const stat = fs.statSync(path.join(entry.parentPath, entry.name));
    files.set(entry.name, `${stat.ino}:${stat.mtimeMs}`);
  }
  return files;
}

describe('kill -9 of a tarball import mid-stream', () => {
  it('is marked interrupted, and running it again completes it without writing stored images again', async () => {
    const dataDir = tempDir('loupe-tar-crash-');
    const parts = path.join(tempDir('loupe-tar-parts-'), 'gpt-edit');
    writeParts(parts, 'omniedit.tar.gz', await gzipTar(syntheticTask(N), 1), { partBytes: 1 << 20 });
    expect(fs.readdirSync(parts).length).toBeGreaterThan(1);
    const count = (sql: string) => {
      let db: Database.Database | undefined;
      try {
        db = new Database(path.join(dataDir, 'loupe.db'), { readonly: true });
        return db.prepare(sql).pluck().get() as number;
      } catch {
        return 0; // not created yet
      } finally {
        db?.close();
      }
    };

    const first = start(['cli/loupe.ts', 'import', parts], dataDir, SLOW);
    await waitFor(() => count('SELECT count(*) FROM items') > 0, 'the first batch');
    first.child.kill('SIGKILL');
    await first.exited;
    const before = count('SELECT count(*) FROM items');
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(N);
    const stored = storeFiles(dataDir);
    expect(stored.size).toBeGreaterThanOrEqual(2 * before);

    const second = await run(['cli/loupe.ts', 'import', parts, '--json'], dataDir);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/marked import run 1 interrupted/);
    expect(JSON.parse(second.stdout)).toMatchObject({
      format: 'gpt-edit-tarball',
      imported: N - before,
      alreadyPresent: before,
      skipped: 0,
    });
    console.log(`tarball kill -9: ${before} of ${N} records and ${stored.size} images in before the kill`);

    // Images stored before the kill are the same files (not rewritten); the store has each image once.
    const after = storeFiles(dataDir);
    for (const [name, identity] of stored) expect(after.get(name), name).toBe(identity);
    expect(after.size).toBe(2 * N);
    expect(count('SELECT count(*) FROM items')).toBe(N);
    expect(count('SELECT sum(n) FROM item_counts')).toBe(N);
    expect(count(`SELECT group_concat(status) FROM (SELECT status FROM import_runs ORDER BY id)`)).toBe('interrupted,done');
  }, 120_000);
});
