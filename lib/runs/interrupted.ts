import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { writeTransaction } from '@/db/transaction';
import { requeueOrphans } from '../jobs/jobs';
import { ownerGone } from '../process/owner';

export interface Interrupted {
  imports: number[];
  exports: number[];
  /** Batches whose queuing process died before it had queued every item (now `interrupted`; `total` keeps what it meant to queue). */
  batches: number[];
  /** Jobs left running by a dead worker (or with an expired lock), queued again for any worker. */
  jobs: number;
}

interface RunningRow {
  id: number;
  host: string | null;
  pid: number | null;
  startedAt: number;
}

/** A batch that has queued no job for this long is no longer being queued. */
const QUEUING_SILENT_MS = 60_000;

/**
 * A running batch whose queuer died: `total` is what it meant to queue (startBatch sets it to the
 * jobs queued when it ends), it has fewer jobs than that, none left to run, and none new for a
 * minute. Parameters: the silence threshold, twice.
 */
const CUT_OFF_BATCH = `b.status = 'running' AND b.created_at < ?
  AND (SELECT count(*) FROM jobs WHERE batch_id = b.id) < b.total
  AND NOT EXISTS (SELECT 1 FROM jobs WHERE batch_id = b.id AND (status IN ('queued', 'running') OR created_at >= ?))`;

/**
 * On start (server, every CLI command): import runs and exports still `running` whose process
 * is gone become `interrupted`, and jobs a dead worker held go back to the queue. Runs on other hosts are left alone (their process cannot be
 * checked from here). Cheap: only running rows are read.
 */
export function markInterruptedRuns(db: Db, now = Date.now()): Interrupted {
  const jobs = requeueOrphans(db, now);
  const running = (table: 'import_runs' | 'exports') =>
    statement<[], RunningRow>(db, `SELECT id, host, pid, started_at AS startedAt FROM ${table} WHERE status = 'running'`).all();
  const gone = (rows: RunningRow[]) => rows.filter((row) => ownerGone(row, row.startedAt)).map((row) => row.id);
  const imports = gone(running('import_runs'));
  const exports = gone(running('exports'));
  const silentSince = now - QUEUING_SILENT_MS;
  const cutOff = statement<[number, number], number>(db, `SELECT b.id FROM batches b WHERE ${CUT_OFF_BATCH}`)
    .pluck()
    .all(silentSince, silentSince);
  if (imports.length + exports.length + cutOff.length === 0) return { imports, exports, batches: [], jobs };

  const batches = writeTransaction(db, () => {
    const importRun = statement(db, `UPDATE import_runs SET status = 'interrupted', finished_at = ? WHERE id = ? AND status = 'running'`);
    const exportRun = statement(
      db,
      `UPDATE exports SET status = 'interrupted', finished_at = ?,
         error = 'its process (pid ' || pid || ' on ' || host || ') stopped before it finished'
       WHERE id = ? AND status = 'running'`,
    );
    for (const id of imports) importRun.run(now, id);
    for (const id of exports) exportRun.run(now, id);
    // Decided again under the write lock: a job queued since the first look keeps the batch running.
    return statement<[number, number], number>(db, `UPDATE batches AS b SET status = 'interrupted' WHERE ${CUT_OFF_BATCH} RETURNING id`)
      .pluck()
      .all(silentSince, silentSince);
  });
  return { imports, exports, batches, jobs };
}
