import path from 'node:path';
import type { Db } from '@/db';
import type { ExtraFilter } from '@/lib/filter/filter';
import { exportItems } from './index';
import type { ExportFormat, ImageMode } from './formats';
import type { ExportSummary } from './run';
import { ExportError, type ExportStatus } from './selection';

/**
 * Exports started from the browser: run in the server process, not awaited by the request,
 * one at a time. The folder is always chosen here, under `<data dir>/exports`; progress is
 * kept in memory (the `exports` table has no columns for it) keyed by export id.
 */

export interface BackgroundExportRequest {
  format: ExportFormat;
  status: ExportStatus;
  datasetId?: number;
  family?: string;
  task?: string;
  instructionType?: 'original' | 'rewrite' | 'complex';
  /** Unset: the default (link on the same filesystem, else copy). */
  images?: ImageMode;
  /** The shared filter's other terms, as the CLI passes them. */
  extra?: Omit<ExtraFilter, 'status' | 'sort'>;
  createdBy: string;
}

export interface ExportProgress {
  done: number;
  total: number;
}

/** Why an export cannot start; `status` is the HTTP answer. */
export class ExportStartError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

interface Running {
  exportId: number;
  progress: ExportProgress;
  finished: Promise<ExportSummary | undefined>;
}

// On globalThis so every route bundle (and dev-mode reloads) sees the same running export.
const holder = globalThis as unknown as { __loupeExports?: { running: Running | null; progress: Map<number, ExportProgress> } };
function state() {
  return (holder.__loupeExports ??= { running: null, progress: new Map() });
}

/** Where browser-started exports go (and the only exports that may be downloaded). */
export function exportsRoot(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'exports');
}

/** Whether `out` is a folder inside `exportsRoot(dataDir)`. */
export function isUnderExportsRoot(dataDir: string, out: string): boolean {
  const rel = path.relative(exportsRoot(dataDir), path.resolve(out));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) && !rel.includes(path.sep);
}

/**
 * Starts an export without waiting for it and returns its id (its `exports` row).
 * Refuses (409) while another runs; a selection that cannot be exported is a 400.
 */
export async function startBackgroundExport(db: Db, dataDir: string, request: BackgroundExportRequest): Promise<{ exportId: number }> {
  const s = state();
  if (s.running) throw new ExportStartError(`export ${s.running.exportId} is still running; wait for it to finish`, 409);
  // A timestamp names the folder: the id is only known once the run has recorded itself.
  const out = path.join(exportsRoot(dataDir), `${Date.now()}-${request.format}`);
  const progress: ExportProgress = { done: 0, total: 0 };
  let exportId: number | undefined;
  const claim: Running = { exportId: 0, progress, finished: Promise.resolve(undefined) };
  s.running = claim; // taken before the first await, so two requests cannot both start

  const run = exportItems(db, request.format, {
    out,
    status: request.status,
    datasetId: request.datasetId,
    family: request.family,
    task: request.task,
    instructionType: request.instructionType,
    images: request.images,
    ...request.extra,
    createdBy: request.createdBy,
    onProgress: (done, total) => {
      progress.done = done;
      progress.total = total;
    },
  });
  // The run records itself synchronously before its first await; find that row.
  exportId = db.$client.prepare<[string], number>('SELECT id FROM exports WHERE out_path = ? ORDER BY id DESC LIMIT 1').pluck().get(out);
  if (exportId === undefined) {
    s.running = null;
    try {
      exportId = (await run).exportId;
    } catch (error) {
      if (error instanceof ExportError) throw new ExportStartError(error.message, 400);
      throw error;
    }
    return { exportId };
  }

  const id = exportId;
  claim.exportId = id;
  s.progress.set(id, progress);
  claim.finished = run.then(
    (summary) => summary,
    (error: unknown) => {
      // Recorded as failed in `exports` by the run; the page shows the message.
      console.error(`loupe export ${id} failed:`, error);
      return undefined;
    },
  );
  void claim.finished.finally(() => {
    s.progress.delete(id);
    if (s.running === claim) s.running = null;
  });
  return { exportId: id };
}

/** Progress of the exports running in this process, by export id. */
export function exportProgress(): Record<number, ExportProgress> {
  return Object.fromEntries([...state().progress].map(([id, p]) => [id, { ...p }]));
}

/** The running export's id, or null. */
export function runningExportId(): number | null {
  return state().running?.exportId || null;
}

/** Resolves when the running export (if any) has finished; for tests and shutdown. */
export async function backgroundExportIdle(): Promise<void> {
  await state().running?.finished;
}

/** What the "New export" form offers: datasets, and the families and tasks that have items. */
export function exportChoices(db: Db): { datasets: { id: number; name: string }[]; families: string[]; tasks: string[] } {
  const datasets = db.$client.prepare<[], { id: number; name: string }>('SELECT id, name FROM datasets ORDER BY name').all();
  const distinct = (column: 'family' | 'task') =>
    db.$client.prepare<[], string>(`SELECT DISTINCT ${column} FROM item_counts WHERE n > 0 ORDER BY 1`).pluck().all();
  return { datasets, families: distinct('family'), tasks: distinct('task') };
}
