import { desc, eq, lt } from 'drizzle-orm';
import type { Db } from '@/db';
import { actorNames } from '@/lib/auth/actors';
import { exportRuns, type ExportRunStatus } from '@/db/schema';
import { statement } from '@/db/statements';
import { writeTransaction } from '@/db/transaction';
import { thisProcess } from '../process/owner';
import { ExportError, type ExportFilter } from './selection';

/** The `exports` table: every export run, its filter, where it went and how it ended. */

export interface ExportRecord {
  id: number;
  format: string;
  filter: ExportFilter;
  outPath: string;
  items: number;
  skipped: number;
  files: number;
  bytes: number;
  status: ExportRunStatus;
  error: string | null;
  createdBy: string;
  host: string | null;
  pid: number | null;
  startedAt: number;
  finishedAt: number | null;
}

/**
 * Records a new run. One that resumes an unfinished run is refused when a later run already wrote
 * into that folder (so the old run's --clean can never delete a newer export), and the old run
 * names the new one, in the same transaction.
 */
export function startExportRecord(
  db: Db,
  run: { format: string; filter: ExportFilter; outPath: string; createdBy: string; resumes?: number },
): number {
  return writeTransaction(db, () => {
    if (run.resumes !== undefined) {
      const later = laterRunInFolder(db, run.resumes);
      if (later !== undefined)
        throw new ExportError(
          `export ${later} has written into export ${run.resumes}'s folder since; resume or clean export ${later} instead`,
        );
    }
    const id = db
      .insert(exportRuns)
      .values({
        format: run.format,
        filter: JSON.stringify(run.filter),
        outPath: run.outPath,
        createdBy: run.createdBy,
        startedAt: Date.now(),
        ...thisProcess(),
      })
      .returning({ id: exportRuns.id })
      .get().id;
    if (run.resumes !== undefined) {
      statement(db, `UPDATE exports SET error = ? WHERE id = ?`).run(`resumed as export ${id}`, run.resumes);
    }
    return id;
  });
}

/**
 * The unfinished runs before run `id` into the same folder (run `id` replaced them; a finished one
 * is never among them: a run cut off before it wrote its stub has not touched that export).
 */
export function earlierRunsInFolder(db: Db, id: number): number[] {
  return statement<[number, number], number>(
    db,
    `SELECT earlier.id FROM exports earlier JOIN exports run ON run.id = ?
     WHERE earlier.out_path = run.out_path AND earlier.id < ? AND earlier.status != 'done'`,
  )
    .pluck()
    .all(id, id);
}

/** The newest run started after run `id` into the same folder (its output replaced run `id`'s). */
export function laterRunInFolder(db: Db, id: number): number | undefined {
  return statement<[number, number], number>(
    db,
    `SELECT later.id FROM exports later JOIN exports run ON run.id = ? WHERE later.out_path = run.out_path AND later.id > ? ORDER BY later.id DESC LIMIT 1`,
  )
    .pluck()
    .get(id, id);
}

export function finishExportRecord(db: Db, id: number, counts: { items: number; skipped: number; files: number; bytes: number }) {
  db.update(exportRuns)
    .set({ ...counts, status: 'done', finishedAt: Date.now() })
    .where(eq(exportRuns.id, id))
    .run();
}

export function failExportRecord(db: Db, id: number, error: unknown) {
  const message = error instanceof Error ? error.message : String(error);
  db.update(exportRuns).set({ status: 'failed', error: message, finishedAt: Date.now() }).where(eq(exportRuns.id, id)).run();
}

export function getExportRecord(db: Db, id: number): ExportRecord | undefined {
  const row = db.select().from(exportRuns).where(eq(exportRuns.id, id)).get();
  return row && { ...row, filter: parseFilter(row.filter) };
}

/** Export runs, newest first; `before` (an id) pages back. */
export function listExports(db: Db, options: { limit?: number; before?: number } = {}): ExportRecord[] {
  const rows = db
    .select()
    .from(exportRuns)
    .where(options.before === undefined ? undefined : lt(exportRuns.id, options.before))
    .orderBy(desc(exportRuns.id))
    .limit(options.limit ?? 100)
    .all();
  // createdBy: a user id or a `cli:` label in the table, shown as the current username (lib/auth/actors.ts).
  const names = actorNames(
    db,
    rows.map((row) => row.createdBy),
  );
  return rows.map((row) => ({ ...row, createdBy: names.get(row.createdBy)!, filter: parseFilter(row.filter) }));
}

function parseFilter(text: string): ExportFilter {
  try {
    return JSON.parse(text) as ExportFilter;
  } catch {
    return { status: 'all', dataset: null, family: null, task: null };
  }
}
