import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '@/db';
import { findTaskFolders } from './gpt-edit-layout';
import { parseGptEditRecord } from './gpt-edit-record';
import { readJsonRecords } from './json-records';
import { importLimits, type ImportLimits } from './limits';
import type { ProbeKind } from '../images/prober';
import { NothingToImportError, runImport, type ImportProgress, type ImportSummary } from './session';

export { NothingToImportError, type ImportProgress, type ImportSummary } from './session';

export interface ImportOptions {
  dataset?: string;
  onProgress?: (progress: ImportProgress) => void;
  /** Column mapping for the generic JSONL / CSV formats (ignored by the others). */
  columns?: ColumnMapping;
  /** Caps on record size, nesting and instruction length (lib/import/limits.ts). */
  limits?: Partial<ImportLimits>;
  /** How images are probed (default: checked); bench:import times its header-only baseline with it. */
  probe?: ProbeKind;
}

/** Which fields of a generic JSONL / CSV record hold what. */
export interface ColumnMapping {
  source?: string;
  edited?: string;
  instruction?: string;
  id?: string;
  /** Extra columns to keep (all columns are kept in the stored record anyway). */
  extra?: string[];
}

/**
 * Imports the released GPT-Image-Edit-1.5M layout (extracted) from its root or any
 * folder inside it. Stores image references, not copies. Idempotent: records whose id is
 * already in the dataset are counted, not imported again. Reads metadata as a stream and
 * writes in batches, so memory stays bounded whatever the file sizes.
 */
export async function importGptEdit(db: Db, inputPath: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const root = path.resolve(inputPath);
  if (!fs.existsSync(root)) throw new NothingToImportError(`no such file or folder: ${inputPath}`);
  const folders = findTaskFolders(root);
  const files = folders.flatMap((f) => f.metadataFiles);
  if (files.length === 0) {
    throw new NothingToImportError(`no metadata files found under ${inputPath} (expected <family>/<task>/metadata/*.json)`);
  }
  const baseDir = fs.statSync(root).isFile() ? path.dirname(root) : root;
  const limits = importLimits(options.limits);
  const run = {
    db,
    format: 'gpt-edit',
    path: root,
    // Default name: the layout's root folder (two levels above a task folder), so importing
    // the root or a folder inside it lands in the same dataset.
    dataset: options.dataset ?? path.basename(path.dirname(path.dirname(folders[0].dir))),
    files: files.length,
    bytesTotal: files.reduce((sum, f) => sum + fs.statSync(f).size, 0),
    fileKind: 'metadata file',
    onProgress: options.onProgress,
    limits,
    probe: options.probe,
  };

  return runImport(run, async (session) => {
    let filesRead = 0;
    let fileNo = 0;
    for (const folder of folders) {
      // Every task folder is registered, even one with no importable record; not when the
      // images are copied into a bucket store (their root is the store's).
      if (!session.copiesIntoStore) session.imageRoot(folder.dir);
      for (const file of folder.metadataFiles) {
        const shownFile = path.relative(baseDir, file) || path.basename(file);
        const order = fileNo++;
        let fileBroken = false;
        let readAny = false;
        for await (const entry of readJsonRecords(file, session.progress, limits)) {
          if (entry.kind === 'bad-file') {
            session.report(shownFile, [order, Infinity], entry.reason); // a break ends the file: after its records
            fileBroken = true;
            continue;
          }
          readAny = true;
          session.progress.records++;
          if (entry.kind === 'bad-record') {
            session.report(shownFile, [order, entry.index], entry.reason, entry.index);
            continue;
          }
          const parsed = parseGptEditRecord(entry.value);
          if (!parsed.ok) {
            session.report(shownFile, [order, entry.index], parsed.reason, recordLabel(entry.value, entry.index));
            continue;
          }
          const { record } = parsed;
          await session.add({
            externalId: record.id,
            family: record.family,
            task: record.task,
            instructionType: record.instructionType,
            instructions: record.instructions,
            descriptions: record.descriptions,
            metadata: entry.text,
            source: { field: 'input', value: record.input, dir: folder.dir, path: record.input },
            output: { field: 'output', value: record.output, dir: folder.dir, path: record.output },
            file: shownFile,
            order: [order, entry.index],
          });
        }
        if (readAny || !fileBroken) filesRead++; // an empty array is read, just empty
      }
    }
    return filesRead;
  });
}

function recordLabel(value: unknown, index: number): string | number {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : index;
}
