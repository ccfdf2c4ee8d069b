/**
 * kill -9 of `loupe import` while it builds the search index: the next run resumes from the
 * watermark, and the index ends up holding every item once.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { bigLayout } from '@/cli/faults/layouts';
import { run, start, waitFor } from '@/cli/faults/processes';
import { cleanupTemp, tempDir } from '@/lib/test/factories';

afterEach(cleanupTemp);

const N = 3000;
/** A pause after each batch and each index chunk, so the kill lands mid-build on a machine of any speed. */
const SLOW = { LOUPE_TEST_PAGE_DELAY_MS: '700' };

describe('kill -9 during the search index build', () => {
  it('keeps whole chunks, and the next import resumes from the watermark', async () => {
    const dataDir = tempDir('loupe-search-kill-');
    const root = await bigLayout(N);
    const file = path.join(dataDir, 'loupe.db');
    const value = (sql: string) => {
      let db: Database.Database | undefined;
      try {
        db = new Database(file, { readonly: true });
        return db.prepare(sql).pluck().get() as number;
      } catch {
        return 0; // not created yet
      } finally {
        db?.close();
      }
    };
    const first = start(['cli/loupe.ts', 'import', root], dataDir, SLOW);
    await waitFor(() => value('SELECT items_done FROM search_state') > 0, 'the first indexed chunk', 60_000);
    first.child.kill('SIGKILL');
    await first.exited;
    const done = value('SELECT items_done FROM search_state');
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(N);
    // Exactly the items up to the watermark are in the index, each once.
    expect(value('SELECT count(*) FROM search_index')).toBe(value(`SELECT count(*) FROM items WHERE id <= ${done}`));

    const second = await run(['cli/loupe.ts', 'import', root, '--json'], dataDir);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/Search index: [\d,]+ items indexed/);
    console.log(`search index kill -9: ${done} of ${N} items indexed before the kill; the second run indexed the rest`);
    expect(value('SELECT items_done FROM search_state')).toBe(value('SELECT max(id) FROM items'));
    expect(value('SELECT count(*) FROM search_index')).toBe(N);
    // Each item once: the index's matches for a word every instruction has are the items.
    expect(value(`SELECT count(*) FROM search_index WHERE search_index MATCH 'edit'`)).toBe(N);
  }, 120_000);
});
