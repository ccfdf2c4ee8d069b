import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '@/db';
import { cleanupTemp, tempDir } from '@/lib/test/factories';
import { run } from './processes';

afterEach(cleanupTemp);

describe('the interrupted-run sweep at CLI start', () => {
  it('cannot stop a command: when it fails (here: the database stays locked) it says so in one line and the command runs', async () => {
    const dataDir = tempDir('loupe-sweep-');
    const file = path.join(dataDir, 'loupe.db');
    openDb(file).$client.close();
    const db = new Database(file);
    // An export whose process is gone: the sweep has something to write.
    db.prepare(
      `INSERT INTO exports (format, filter, out_path, created_by, host, pid, started_at) VALUES ('jsonl', '{}', '/nowhere', 'cli:t', ?, ?, 0)`,
    ).run(os.hostname(), 2 ** 22 + 1);
    db.exec('BEGIN IMMEDIATE'); // another writer holds the lock past the busy timeout (5 s)
    try {
      const listed = await run(['cli/loupe.ts', 'user', 'list', '--json'], dataDir);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stderr.trim()).toBe('loupe: could not check for interrupted runs (database is locked); going on');
      expect(JSON.parse(listed.stdout)).toBeDefined();
    } finally {
      db.exec('ROLLBACK');
    }
    const next = await run(['cli/loupe.ts', 'user', 'list'], dataDir);
    expect(next.stderr).toMatch(/marked export 1 interrupted/);
    db.close();
  }, 60_000);
});
