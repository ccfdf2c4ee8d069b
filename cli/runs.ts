import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { markInterruptedRuns } from '@/lib/runs/interrupted';
import { thisProcess } from '@/lib/process/owner';

/** Marks runs whose process died as interrupted, and says so on stderr (never stdout: --json owns it). */
export function reportInterrupted(db: Db) {
  const { imports, exports, batches, jobs } = markInterruptedRuns(db);
  const list = (what: string, ids: number[]) => (ids.length ? [`${what} ${ids.join(', ')}`] : []);
  const parts = [...list('import run', imports), ...list('export', exports)];
  if (parts.length) {
    process.stderr.write(`loupe: marked ${parts.join(' and ')} interrupted: the process running it stopped before it finished\n`);
  }
  if (exports.length) {
    process.stderr.write(`  resume with: npm run loupe -- export --resume ID; or delete its partial output: export --clean ID\n`);
  }
  if (jobs) process.stderr.write(`loupe: ${jobs} job${jobs === 1 ? '' : 's'} left running by a stopped worker queued again\n`);
  if (batches.length) {
    process.stderr.write(
      `loupe: marked batch ${batches.join(', ')} interrupted: the process queuing it stopped part-way (the jobs it queued have run)\n`,
    );
  }
}

/** This process's own running import runs and exports become interrupted (it is being stopped). */
export function interruptOwnRuns(db: Db): number {
  const { host, pid } = thisProcess();
  const now = Date.now();
  let changed = 0;
  changed += statement(
    db,
    `UPDATE import_runs SET status = 'interrupted', finished_at = ? WHERE status = 'running' AND host = ? AND pid = ?`,
  ).run(now, host, pid).changes;
  changed += statement(
    db,
    `UPDATE exports SET status = 'interrupted', finished_at = ?, error = 'stopped by a signal before it finished'
     WHERE status = 'running' AND host = ? AND pid = ?`,
  ).run(now, host, pid).changes;
  return changed;
}
