import { spawn } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTemp, tempDir } from '@/lib/test/factories';
import { bigLayout } from './layouts';
import { alive, REPO, waitFor } from './processes';

afterEach(cleanupTemp);

/** The import run's row (its pid is the process doing the import), once it exists. */
function importRun(dataDir: string): { status: string; pid: number } | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(path.join(dataDir, 'loupe.db'), { readonly: true });
    return db.prepare('SELECT status, pid FROM import_runs ORDER BY id DESC LIMIT 1').get() as { status: string; pid: number } | undefined;
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}

describe('npm run loupe -- import, stopped by a signal', () => {
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGKILL'] as const) {
    // SIGKILL: npm cannot pass it on; the import notices it lost its parent and stops itself.
    it(`${signal} to npm stops the importing process within seconds and marks its run interrupted`, async () => {
      const root = await bigLayout(80_000); // (temporary folders go after each test)
      const dataDir = tempDir('loupe-signal-');
      const npm = spawn('npm', ['run', '--silent', 'loupe', '--', 'import', root], {
        cwd: REPO,
        // A pause after each batch of 2,000 (40 of them, 20 s at least): the import surely still runs when the signal lands.
        env: { ...process.env, LOUPE_DATA_DIR: dataDir, LOUPE_TEST_PAGE_DELAY_MS: '500' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      npm.stderr.on('data', (chunk) => (stderr += chunk));
      const npmExited = new Promise((resolve) => npm.on('exit', resolve));

      const started = await waitFor(() => importRun(dataDir), 'the import to start');
      npm.kill(signal); // what a supervisor (or `kill`) does: only npm gets the signal
      const sent = Date.now();
      await waitFor(() => !alive(started.pid), `process ${started.pid} to stop`, 20_000);
      console.log(`${signal}: the importing process was gone ${Date.now() - sent} ms after npm got the signal`);
      await npmExited;
      expect(importRun(dataDir)?.status, stderr).toBe('interrupted');
      expect(stderr).toMatch(new RegExp(`stopped by ${signal === 'SIGKILL' ? 'SIGTERM' : signal}`));
    }, 60_000);
  }
});
