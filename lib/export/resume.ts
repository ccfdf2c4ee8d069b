import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { getDatasetByName } from '../datasets';
import { ownerGone } from '../process/owner';
import { exportItems, type AnyExportOptions } from './index';
import { EXPORT_FORMATS, type ExportFormat } from './formats';
import { clearExportOutput, readManifestOptions } from './output';
import { earlierRunsInFolder, getExportRecord, laterRunInFolder, type ExportRecord } from './records';
import type { ExportSummary } from './run';
import { ExportError, type ExportSelection } from './selection';

/**
 * An export cut off part-way (`interrupted`, or `failed`) can be resumed, which writes it again
 * from the start into its folder with the same format, selection and options (the formats'
 * shards and indexes cannot be safely continued), or cleaned, which deletes its partial output.
 */

/** The run, if it may be resumed or cleaned: not finished, and not still being written by a live process. */
function unfinishedRun(db: Db, id: number): ExportRecord & { format: ExportFormat } {
  const run = getExportRecord(db, id);
  if (!run) throw new ExportError(`no export ${id}`);
  if (run.status === 'done') throw new ExportError(`export ${id} finished; there is nothing to resume or clean`);
  if (run.status === 'running' && !ownerGone(run, run.startedAt)) {
    const where = run.host && run.pid ? ` (pid ${run.pid} on ${run.host})` : '';
    throw new ExportError(`export ${id} is still being written${where}; wait for it, or stop that process first`);
  }
  const later = laterRunInFolder(db, id);
  if (later !== undefined) {
    throw new ExportError(
      `export ${later} has written into export ${id}'s folder since (${run.outPath}); resume or clean export ${later} instead`,
    );
  }
  if (!(EXPORT_FORMATS as readonly string[]).includes(run.format))
    throw new ExportError(`export ${id} has an unknown format ${run.format}`);
  return run as ExportRecord & { format: ExportFormat };
}

/** The selection an export's recorded filter describes (its dataset by name). */
function selectionOf(db: Db, run: ExportRecord): ExportSelection {
  const { dataset, family, task, instructionType, ...extra } = run.filter;
  let datasetId: number | undefined;
  if (dataset !== null) {
    datasetId = getDatasetByName(db, dataset)?.id;
    if (datasetId === undefined) throw new ExportError(`export ${run.id}'s dataset "${dataset}" no longer exists`);
  }
  return {
    ...extra,
    datasetId,
    family: family ?? undefined,
    task: task ?? undefined,
    instructionType: instructionType as ExportSelection['instructionType'],
  };
}

function note(db: Db, id: number, message: string) {
  statement(db, `UPDATE exports SET error = ?, status = CASE status WHEN 'running' THEN 'interrupted' ELSE status END WHERE id = ?`).run(
    message,
    id,
  );
}

/**
 * Writes an unfinished export again, as a new run into the same folder; the old run names the new
 * one (startExportRecord), and from then on only the new run may be resumed or cleaned.
 */
export async function resumeExport(
  db: Db,
  id: number,
  options: Pick<AnyExportOptions, 'createdBy' | 'onProgress'> = {},
): Promise<ExportSummary & { optionsRecovered: boolean }> {
  const run = unfinishedRun(db, id);
  const selection = selectionOf(db, run);
  const formatOptions = await readManifestOptions(run.outPath);
  const summary = await exportItems(db, run.format, { ...selection, ...formatOptions, ...options, out: run.outPath, resumes: id });
  return { ...summary, optionsRecovered: formatOptions !== undefined };
}

/** Deletes an unfinished export's partial output (only its format's files, inside its folder, and only what this run wrote). */
export async function cleanExport(db: Db, id: number): Promise<{ out: string; folderRemoved: boolean }> {
  const run = unfinishedRun(db, id);
  const folderRemoved = await clearExportOutput(db, run.outPath, run.format, id, earlierRunsInFolder(db, id));
  note(db, id, 'its partial output was deleted');
  return { out: run.outPath, folderRemoved };
}
