import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkpointOnTimer, openDb } from '@/db';
import { handle } from '@/lib/http/handler';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { cleanupTemp, copySamples, SAMPLES_DIR, tempDir } from '@/lib/test/factories';
import { gzipTar, syntheticTask, writeParts } from '@/lib/test/tarball';
import { callRoute, closeRoutes, signInRoles } from '@/lib/test/routes';
import { bigLayout } from './layouts';
import { run } from './processes';
import { fillDisk, isSmall, limitFileSize, smallTmpfs } from './tmpfs';

const DISK_FULL = /the disk holding Loupe's data is full/;

describe('a full disk over HTTP: 507 with a message, never 500', () => {
  let cookie: string;
  beforeAll(async () => {
    cookie = (await signInRoles(['annotator'])).get('annotator')!;
    const { getDb } = await import('@/db');
    await importGptEdit(getDb(), SAMPLES_DIR);
  });
  afterAll(closeRoutes);

  it('answers writes 507 once the database cannot grow, and reads still 200', async () => {
    const { getDb } = await import('@/db');
    const sqlite = getDb().$client;
    // The database may not grow past its size now: SQLite's own SQLITE_FULL on the next new page.
    const pages = sqlite.pragma('page_count', { simple: true }) as number;
    sqlite.pragma(`max_page_count = ${pages + 1}`);
    const statuses: number[] = [];
    let answer: Record<string, unknown> | undefined;
    for (let i = 0; i < 40; i++) {
      const response = await callRoute('app/api/items/[id]/comments/route.ts', 'POST', {
        cookie,
        params: { id: '1' },
        body: { body: `${i} ${'a full disk, '.repeat(300)}` },
      });
      statuses.push(response.status);
      if (response.status === 507) answer = response.json;
    }
    expect(statuses).not.toContain(500);
    expect(statuses).toContain(507);
    expect(String(answer?.error)).toMatch(DISK_FULL);
    const read = await callRoute('app/api/items/[id]/comments/route.ts', 'GET', { cookie, params: { id: '1' } });
    expect(read.status).toBe(200);
  });

  it('maps a file write that fails with ENOSPC to 507 too', async () => {
    const response = await handle(() => {
      fs.writeFileSync('/dev/full', 'x');
      return new Response('unreachable');
    });
    expect(response.status).toBe(507);
    expect((await response.json()).error).toMatch(DISK_FULL);
  });
});

const tmpfs = smallTmpfs(4 * 1024 * 1024);
afterAll(() => tmpfs?.unmount());

describe.skipIf(!tmpfs)('a full disk (a 4 MB tmpfs)', () => {
  afterEach(() => {
    for (const name of fs.readdirSync(tmpfs!.dir)) fs.rmSync(path.join(tmpfs!.dir, name), { recursive: true, force: true });
    cleanupTemp();
  });

  it('an import says the disk is full in one line and exits 28, with no stack trace', async () => {
    const dataDir = path.join(tmpfs!.dir, 'data');
    // Ballast, deleted afterwards to free space the way a user would (never the database's own files).
    const ballast = path.join(tmpfs!.dir, 'ballast');
    fs.writeFileSync(ballast, Buffer.alloc(1536 * 1024));
    expect(isSmall(tmpfs!.dir, 4 * 1024 * 1024), `the 4 MB tmpfs at ${tmpfs!.dir} is no longer mounted`).toBe(true);
    const result = await run(['cli/loupe.ts', 'import', await bigLayout(60_000), '--json'], dataDir);
    expect(result.code, `stderr: ${result.stderr}\nstdout: ${result.stdout.slice(0, 2000)}`).toBe(28);
    expect(result.stderr).toMatch(new RegExp(`loupe: ${DISK_FULL.source}`));
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(JSON.parse(result.stdout).error).toMatch(DISK_FULL);
    // Space freed: the next start marks the cut-off run interrupted, and a small import works.
    fs.rmSync(ballast);
    const again = await run(['cli/loupe.ts', 'import', copySamples(), '--dataset', 'small', '--json'], dataDir);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ imported: 12 });
    const sqlite = new Database(path.join(dataDir, 'loupe.db'), { readonly: true });
    try {
      expect(sqlite.prepare('SELECT id, status FROM import_runs ORDER BY id').all()).toEqual([
        { id: 1, status: 'interrupted' },
        { id: 2, status: 'done' },
      ]);
    } finally {
      sqlite.close();
    }
  }, 60_000);

  it('a tarball import whose store fills the disk says the disk is full (not an archive problem), exits 28, leaves no scratch or temp file', async () => {
    const dataDir = path.join(tmpfs!.dir, 'data');
    const parts = path.join(tempDir('loupe-full-parts-'), 'gpt-edit');
    // About 6 MB of incompressible images: more than the 4 MB disk holds.
    writeParts(parts, 'omniedit.tar.gz', await gzipTar(syntheticTask(1500, { pngBytes: 2048, metadata: 'first' }), 1), {
      partBytes: 1 << 20,
    });
    const result = await run(['cli/loupe.ts', 'import', parts, '--json'], dataDir);
    expect(result.code, `stderr: ${result.stderr}\nstdout: ${result.stdout.slice(0, 2000)}`).toBe(28);
    expect(result.stderr).toMatch(new RegExp(`loupe: ${DISK_FULL.source}`));
    expect(result.stderr).not.toMatch(/archive|not valid gzip|truncated/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const left = (fs.readdirSync(dataDir, { recursive: true }) as string[]).filter((f) => /scratch|\.tmp$/.test(f));
    expect(left).toEqual([]);
  }, 60_000);

  it('an export to a full disk names its folder, and its run is recorded as failed', async () => {
    const dataDir = tempDir('loupe-export-full-data-');
    expect((await run(['cli/loupe.ts', 'import', await bigLayout(20_000)], dataDir)).code).toBe(0);
    const out = path.join(tmpfs!.dir, 'out');
    const result = await run(['cli/loupe.ts', 'export', '--out', out, '--format', 'jsonl', '--status', 'all'], dataDir);
    expect(result.code, result.stderr).toBe(28);
    expect(result.stderr).toMatch(new RegExp(`no space left to write ${out} \\(ENOSPC\\)`));
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const sqlite = new Database(path.join(dataDir, 'loupe.db'), { readonly: true });
    try {
      expect(sqlite.prepare('SELECT status, error FROM exports').get()).toEqual({
        status: 'failed',
        error: `no space left on the disk of ${out} (ENOSPC)`,
      });
    } finally {
      sqlite.close();
    }
  }, 60_000);

  it('the WAL checkpoint timer logs a full disk once and throws nothing', async () => {
    const db = openDb(path.join(tmpfs!.dir, 'loupe.db'));
    db.$client.pragma('wal_autocheckpoint = 0');
    await importGptEdit(db, SAMPLES_DIR);
    growWal(db); // then take the rest of the disk
    fillDisk(tmpfs!.dir);
    try {
      expect(await checkpointTimerLogs(db)).toMatch(/full|SQLITE_FULL|disk/i);
    } finally {
      db.$client.close();
    }
  }, 30_000);
});

/** Runs without root too: files that may not grow stand in for a full disk (EFBIG, which SQLite reports as SQLITE_IOERR_WRITE). */
describe('a write path that fails (a file-size limit, no root needed)', () => {
  afterEach(cleanupTemp);

  it('an import whose database may not grow says so in one line and exits 28; with room again it completes', async () => {
    const dataDir = tempDir('loupe-fsize-import-');
    const root = await bigLayout(20_000);
    const result = await run(['cli/loupe.ts', 'import', root, '--json'], dataDir, {}, { fileSizeBytes: 1024 * 1024 });
    expect(result.code, result.stderr).toBe(28);
    expect(result.stderr).toMatch(/loupe: could not write to the disk holding Loupe's data \(it may be full or failing\)/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(JSON.parse(result.stdout).error).toMatch(/could not write to the disk/);
    const again = await run(['cli/loupe.ts', 'import', root, '--json'], dataDir);
    expect(again.code, again.stderr).toBe(0);
    const sqlite = new Database(path.join(dataDir, 'loupe.db'), { readonly: true });
    try {
      expect(sqlite.prepare('SELECT id, status FROM import_runs ORDER BY id').all()).toEqual([
        { id: 1, status: 'interrupted' },
        { id: 2, status: 'done' },
      ]);
      expect(sqlite.prepare('SELECT count(*) FROM items').pluck().get()).toBe(20_000);
    } finally {
      sqlite.close();
    }
  }, 120_000);

  it('an export whose files may not grow names its folder, exits 28, and its run is recorded as failed', async () => {
    const dataDir = tempDir('loupe-fsize-data-');
    expect((await run(['cli/loupe.ts', 'import', await bigLayout(5_000)], dataDir)).code).toBe(0);
    // An empty WAL: the export's few database writes stay under the limit, its files do not.
    const wal = new Database(path.join(dataDir, 'loupe.db'));
    wal.pragma('wal_checkpoint(TRUNCATE)');
    wal.close();
    const out = path.join(tempDir('loupe-fsize-out-'), 'out');
    const limits = { fileSizeBytes: 256 * 1024 };
    const result = await run(['cli/loupe.ts', 'export', '--out', out, '--format', 'jsonl', '--status', 'all'], dataDir, {}, limits);
    expect(result.code, result.stderr).toBe(28);
    expect(result.stderr).toMatch(new RegExp(`no space left to write ${out}.* \\(EFBIG\\)`));
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const sqlite = new Database(path.join(dataDir, 'loupe.db'), { readonly: true });
    try {
      expect(sqlite.prepare('SELECT status, error FROM exports').get()).toEqual({
        status: 'failed',
        error: `no space left on the disk of ${out} (EFBIG)`,
      });
    } finally {
      sqlite.close();
    }
    // The export's own clean deletes what it wrote, under the same limit (the sweep at start may fail: it goes on).
    const clean = await run(['cli/loupe.ts', 'export', '--clean', '1', '--json'], dataDir, {}, limits);
    expect(clean.code, clean.stderr).toBe(0);
    expect(fs.existsSync(out)).toBe(false);
  }, 120_000);

  it('the WAL checkpoint timer logs a failing write once and throws nothing', async () => {
    const file = path.join(tempDir('loupe-fsize-'), 'loupe.db');
    const db = openDb(file);
    db.$client.pragma('wal_autocheckpoint = 0');
    await importGptEdit(db, SAMPLES_DIR);
    growWal(db);
    // The checkpoint must grow the main file by the WAL's new pages: it may not.
    const restore = limitFileSize(fs.statSync(file).size);
    expect(restore, 'prlimit is needed for this test').toBeDefined();
    try {
      expect(await checkpointTimerLogs(db)).toMatch(/disk I\/O error|full/i);
    } finally {
      restore?.();
      db.$client.close();
    }
  }, 30_000);
});

/** Rows the main database file has not got yet: the next checkpoint must write them there. */
function growWal(db: ReturnType<typeof openDb>) {
  const insert = db.$client.prepare(`INSERT INTO comments (item_id, author, body, created_at) VALUES (1, 'u', ?, 0)`);
  db.$client
    .transaction(() => {
      for (let i = 0; i < 200; i++) insert.run('x'.repeat(4000));
    })
    .immediate();
}

/**
 * Runs the WAL checkpoint timer for three ticks against a database that cannot be written:
 * nothing may be thrown, one failure line is logged. Returns what was logged.
 */
async function checkpointTimerLogs(db: ReturnType<typeof openDb>): Promise<string> {
  const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', onUncaught);
  try {
    checkpointOnTimer(db);
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(uncaught).toEqual([]);
    const logged = errors.mock.calls.map((call) => String(call[0]));
    expect(logged.filter((line) => /WAL checkpoint failed/.test(line))).toHaveLength(1);
    return logged.join('\n');
  } finally {
    process.off('uncaughtException', onUncaught);
    errors.mockRestore();
  }
}
