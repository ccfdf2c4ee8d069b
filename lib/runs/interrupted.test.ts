import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { batchProgress, recentBatches } from '@/lib/batches/batch';
import { markInterruptedRuns } from './interrupted';
import { ownerGone, processStartedAt } from '../process/owner';

afterEach(cleanupTemp);

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

function run(db: Db, table: 'import_runs' | 'exports', owner: { host: string | null; pid: number | null; startedAt: number }): number {
  db.$client.prepare(`INSERT OR IGNORE INTO datasets (id, name) VALUES (1, 'd')`).run();
  const sql =
    table === 'import_runs'
      ? `INSERT INTO import_runs (dataset_id, path, format, host, pid, started_at) VALUES (1, '/x', 'gpt-edit', ?, ?, ?)`
      : `INSERT INTO exports (format, filter, out_path, created_by, host, pid, started_at) VALUES ('jsonl', '{}', '/out', 't', ?, ?, ?)`;
  return Number(db.$client.prepare(sql).run(owner.host, owner.pid, owner.startedAt).lastInsertRowid);
}

const status = (db: Db, table: string, id: number) => db.$client.prepare(`SELECT status FROM ${table} WHERE id = ?`).pluck().get(id);

describe('markInterruptedRuns', () => {
  it('marks the runs whose process is gone, and only those', () => {
    const { db } = tempDb();
    const host = os.hostname();
    const now = Date.now();
    const dead = run(db, 'import_runs', { host, pid: deadPid(), startedAt: now - 1000 });
    const live = run(db, 'import_runs', { host, pid: process.pid, startedAt: now - 10 });
    const elsewhere = run(db, 'import_runs', { host: 'another-machine', pid: deadPid(), startedAt: now });
    // Our own pid, but the run started long before this process did: a previous process with the same pid (containers).
    const reused = run(db, 'exports', { host, pid: process.pid, startedAt: processStartedAt(process.pid)! - 60_000 });
    const deadExport = run(db, 'exports', { host, pid: deadPid(), startedAt: now });

    expect(markInterruptedRuns(db)).toEqual({ imports: [dead], exports: [reused, deadExport], batches: [], jobs: 0 });
    expect([dead, live, elsewhere].map((id) => status(db, 'import_runs', id))).toEqual(['interrupted', 'running', 'running']);
    expect(status(db, 'exports', deadExport)).toBe('interrupted');
    expect(db.$client.prepare('SELECT error FROM exports WHERE id = ?').pluck().get(deadExport)).toMatch(
      /its process \(pid \d+ on .+\) stopped/,
    );
    // Idempotent: nothing more to mark.
    expect(markInterruptedRuns(db)).toEqual({ imports: [], exports: [], batches: [], jobs: 0 });
  });

  it('knows when this process started (so a reused pid is told apart)', () => {
    const started = processStartedAt(process.pid)!;
    expect(started).toBeLessThanOrEqual(Date.now());
    expect(started).toBeGreaterThan(Date.now() - process.uptime() * 1000 - 10_000);
    expect(ownerGone({ host: os.hostname(), pid: process.pid }, Date.now())).toBe(false);
  });

  it('marks a batch whose queuing stopped part-way interrupted (not done), keeping what it meant to queue', async () => {
    const { db } = tempDb();
    await importGptEdit(db, SAMPLES_DIR);
    const item = db.$client.prepare('SELECT min(id) FROM items').pluck().get();
    const old = Date.now() - 120_000;
    const batch = (total: number) =>
      Number(
        db.$client
          .prepare(
            `INSERT INTO batches (kind, filter, budget_usd, estimated_usd, total, created_by, created_at) VALUES ('regenerate', '{}', 1, 1, ?, 't', ?)`,
          )
          .run(total, old).lastInsertRowid,
      );
    const cutOff = batch(500); // meant to queue 500 items, queued 1 before its process died
    const whole = batch(1);
    for (const id of [cutOff, whole]) {
      db.$client
        .prepare(
          `INSERT INTO jobs (kind, item_id, status, batch_id, requested_by, created_at) VALUES ('regenerate', ?, 'succeeded', ?, 't', ?)`,
        )
        .run(item, id, old);
    }
    // A job its dead worker left running goes back to the queue.
    db.$client
      .prepare(
        `INSERT INTO jobs (kind, item_id, status, locked_by, locked_until, requested_by) VALUES ('rewrite', ?, 'running', ?, ?, 't')`,
      )
      .run(item, `${os.hostname()}:${deadPid()}:x`, Date.now() + 60_000);
    expect(markInterruptedRuns(db)).toMatchObject({ batches: [cutOff], jobs: 1 });
    expect(db.$client.prepare(`SELECT count(*) FROM jobs WHERE status = 'running'`).pluck().get()).toBe(0);
    expect(db.$client.prepare('SELECT id, status, total FROM batches ORDER BY id').all()).toEqual([
      { id: cutOff, status: 'interrupted', total: 500 },
      { id: whole, status: 'running', total: 1 },
    ]);
    expect(batchProgress(db, cutOff)).toMatchObject({ status: 'interrupted', total: 500, counts: { succeeded: 1 } });
    expect(batchProgress(db, whole).status).toBe('done');
    expect(recentBatches(db).map((b) => [b.id, b.status, b.total, b.queued])).toEqual([
      [whole, 'done', 1, null],
      [cutOff, 'interrupted', 500, 1],
    ]);
    expect(markInterruptedRuns(db).batches).toEqual([]);
  });
});
