import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTemp, tempDir } from '@/lib/test/factories';
import { bigLayout } from './layouts';
import { run, start, waitFor } from './processes';

afterEach(cleanupTemp);

const N = 20_000;
/** The killed run pauses after each batch of 2,000 it writes: the kill surely lands mid-run, however loaded the machine. */
const SLOW = { LOUPE_TEST_PAGE_DELAY_MS: '1000' };

describe('kill -9 of an import mid-run', () => {
  it('leaves whole batches, the run is marked interrupted on the next start, and importing again completes it', async () => {
    const dataDir = tempDir('loupe-import-crash-');
    const root = await bigLayout(N);
    const sqlite = () => new Database(path.join(dataDir, 'loupe.db'), { readonly: true });
    const count = (sql: string) => {
      let db: Database.Database | undefined;
      try {
        db = sqlite();
        return db.prepare(sql).pluck().get() as number;
      } catch {
        return 0; // the database or its tables are not created yet
      } finally {
        db?.close();
      }
    };

    const first = start(['cli/loupe.ts', 'import', root], dataDir, SLOW);
    await waitFor(() => count('SELECT count(*) FROM items') > 0, 'the first batch');
    first.child.kill('SIGKILL');
    await first.exited;
    const before = count('SELECT count(*) FROM items');
    expect(before).toBeLessThan(N);
    expect(count(`SELECT count(*) FROM import_runs WHERE status = 'running'`)).toBe(1);

    const second = await run(['cli/loupe.ts', 'import', root, '--json'], dataDir);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/marked import run 1 interrupted/);
    expect(JSON.parse(second.stdout)).toMatchObject({ imported: N - before, alreadyPresent: before, skipped: 0 });
    console.log(`import kill -9: ${before} of ${N} records in before the kill; the second run added ${N - before}`);

    const db = sqlite();
    try {
      expect(db.prepare('SELECT id, status FROM import_runs ORDER BY id').all()).toEqual([
        { id: 1, status: 'interrupted' },
        { id: 2, status: 'done' },
      ]);
      expect(db.prepare('SELECT count(*) FROM items').pluck().get()).toBe(N);
      expect(db.prepare('SELECT sum(n) FROM item_counts').pluck().get()).toBe(N);
      // Every item is whole: its current instruction and candidate exist.
      expect(
        db
          .prepare(
            `SELECT count(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM instruction_versions v WHERE v.id = i.current_instruction_id)
               OR NOT EXISTS (SELECT 1 FROM candidates c WHERE c.id = i.current_candidate_id)`,
          )
          .pluck()
          .get(),
      ).toBe(0);
    } finally {
      db.close();
    }
  }, 120_000);
});
