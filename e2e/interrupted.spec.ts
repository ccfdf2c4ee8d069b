import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from '@playwright/test';
import { E2E_DATA_DIR } from './env';
import { importSamples, loupe, readDb } from './helpers';

/** Screenshots to look at (test-results/ is emptied by every run). */
const SHOTS = process.env.LOUPE_SHOTS ?? path.join(os.tmpdir(), 'loupe-shots');

/** The pid of a process that has exited: what a run's row holds after its process was killed. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

/**
 * Runs whose process died (kill -9) show as interrupted once Loupe next starts (here: the next
 * CLI command): on the exports page with how to resume or clean, in the item history, and the
 * money a cut-off call committed on the jobs page.
 */
test('interrupted imports, exports and cut-off calls are shown as such', async ({ page }) => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const datasetId = importSamples('interrupted');
  const reader = readDb();
  const run = reader.prepare('SELECT id, import_run_id AS runId FROM items WHERE dataset_id = ? ORDER BY id LIMIT 1').get(datasetId) as {
    id: number;
    runId: number;
  };
  reader.close();

  // What a kill -9 leaves behind: rows still `running`, owned by a process that is gone.
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-e2e-cut-'));
  const db = new Database(path.join(E2E_DATA_DIR, 'loupe.db'));
  const owner = { host: os.hostname(), pid: deadPid() };
  db.prepare(`UPDATE import_runs SET status = 'running', finished_at = NULL, host = ?, pid = ? WHERE id = ?`).run(
    owner.host,
    owner.pid,
    run.runId,
  );
  const exportId = Number(
    db
      .prepare(
        `INSERT INTO exports (format, filter, out_path, created_by, host, pid, started_at)
         VALUES ('jsonl', '{"status":"all","dataset":null,"family":null,"task":null}', ?, 'cli:e2e', ?, ?, ?)`,
      )
      .run(out, owner.host, owner.pid, Date.now() - 5000).lastInsertRowid,
  );
  const jobId = Number(
    db
      .prepare(
        `INSERT INTO jobs (kind, item_id, status, attempts, error, cost_usd, spent_usd, requested_by, finished_at)
         VALUES ('regenerate', ?, 'failed', 2, 'attempt 2: the API did not answer in time', 0.04, 0.12, 'e2e', ?)`,
      )
      .run(run.id, Date.now()).lastInsertRowid,
  );
  // An export refused because its folder held the user's own files: nothing of it to resume or clean.
  const foreign = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-e2e-foreign-'));
  fs.writeFileSync(path.join(foreign, 'data.jsonl'), '{"mine": true}\n');
  const refusedId = Number(
    db
      .prepare(
        `INSERT INTO exports (format, filter, out_path, status, error, created_by, started_at, finished_at)
         VALUES ('jsonl', '{"status":"all","dataset":null,"family":null,"task":null}', ?, 'failed', ?, 'cli:e2e', ?, ?)`,
      )
      .run(
        foreign,
        `${foreign} is not empty and is not a Loupe export (no Loupe manifest.json); choose a new or empty folder`,
        Date.now(),
        Date.now(),
      ).lastInsertRowid,
  );
  // A batch whose queuing process died after queuing 1 of 5 jobs, more than a minute ago.
  const batchId = Number(
    db
      .prepare(
        `INSERT INTO batches (kind, filter, budget_usd, estimated_usd, total, created_by, created_at) VALUES ('regenerate', '{}', 1, 0.2, 5, 'cli:e2e', ?)`,
      )
      .run(Date.now() - 120_000).lastInsertRowid,
  );
  db.prepare(`UPDATE jobs SET batch_id = ?, created_at = ? WHERE id = ?`).run(batchId, Date.now() - 120_000, jobId);
  db.close();
  // The stub manifest the run wrote first: --resume / --clean are offered only for a folder holding its own.
  fs.writeFileSync(
    path.join(out, 'manifest.json'),
    JSON.stringify({ tool: 'loupe', version: '0', format: 'jsonl', run: exportId, inProgress: true, files: [] }),
  );

  loupe(['user', 'list']); // any command: it marks what the dead process left running

  await page.goto('/exports');
  const row = page.getByTestId(`export-${exportId}`);
  await expect(row.getByTestId('export-status')).toHaveText('interrupted');
  await expect(row.getByTestId('export-unfinished')).toContainText(`npm run loupe -- export --resume ${exportId}`);
  await expect(row).toContainText(`pid ${owner.pid}`);
  await expect(page.getByTestId(`export-${refusedId}`).getByTestId('export-status')).toHaveText('failed');
  await expect(page.getByTestId(`export-${refusedId}`).getByTestId('export-unfinished')).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/exports-interrupted.png`, fullPage: true });

  await page.goto(`/items/${run.id}`);
  await expect(page.getByText(`import run #${run.runId} was interrupted before it finished`)).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/item-interrupted-import.png`, fullPage: true });

  await page.goto('/jobs');
  await expect(page.getByTestId(`job-${jobId}`)).toContainText('$0.120 committed');
  await expect(page.getByTestId(`batch-${batchId}`).getByTestId('batch-status')).toHaveText('interrupted');
  await expect(page.getByTestId(`batch-${batchId}`)).toContainText('stopped after queuing 1 of 5');
  // The batch names its kind as the jobs below do, by the kind's label.
  await expect(page.getByTestId(`batch-${batchId}`)).toContainText('Regeneration');
  await page.screenshot({ path: `${SHOTS}/jobs-committed.png`, fullPage: true });
});
