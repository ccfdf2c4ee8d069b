import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Db } from '@/db';
import { importRuns } from '@/db/schema';
import { ensureDataset, ensureImageRoot } from '../datasets';
import { probeImage, type ImageInfo } from '../images/probe';
import { resolveInRoot } from '../images/paths';
import { findTaskFolders } from './gpt-edit-layout';
import { parseGptEditRecord, type GptEditRecord } from './gpt-edit-record';
import { readJsonRecords } from './json-records';

export interface ImportProblem {
  /** The metadata file, relative to the imported path. */
  file: string;
  /** The record's id when it has one, else its 0-based index in the file. */
  record?: string | number;
  reason: string;
}

export interface ImportSummary {
  dataset: string;
  datasetId: number;
  importRunId: number;
  path: string;
  format: 'gpt-edit';
  files: number;
  imported: number;
  alreadyPresent: number;
  skipped: number;
  problems: ImportProblem[];
  seconds: number;
}

export interface ImportProgress {
  bytesRead: number;
  bytesTotal: number;
  records: number;
}

export interface ImportOptions {
  dataset?: string;
  onProgress?: (progress: ImportProgress) => void;
}

/** Nothing could be read at all (no such path, no metadata): the CLI exits non-zero. */
export class NothingToImportError extends Error {}

const BATCH = 2000;
// Keep the database row of a run small; the full list goes to the caller.
const MAX_STORED_PROBLEMS = 1000;

interface ReadyRecord {
  record: GptEditRecord;
  text: string;
  source: ImageInfo;
  output: ImageInfo;
}

/**
 * Imports the released GPT-Image-Edit-1.5M layout (extracted) from its root or any
 * folder inside it. Stores image references, not copies. Idempotent: records whose id is
 * already in the dataset are counted, not imported again. Reads metadata as a stream and
 * writes in batches, so memory stays bounded whatever the file sizes.
 */
export async function importGptEdit(db: Db, inputPath: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const started = performance.now();
  const root = path.resolve(inputPath);
  if (!fs.existsSync(root)) throw new NothingToImportError(`no such file or folder: ${inputPath}`);
  const folders = findTaskFolders(root);
  const files = folders.flatMap((f) => f.metadataFiles);
  if (files.length === 0) {
    throw new NothingToImportError(`no metadata files found under ${inputPath} (expected <family>/<task>/metadata/*.json)`);
  }
  const baseDir = fs.statSync(root).isFile() ? path.dirname(root) : root;
  // Default name: the layout's root folder (two levels above a task folder), so importing
  // the root or a folder inside it lands in the same dataset.
  const datasetName = options.dataset ?? path.basename(path.dirname(path.dirname(folders[0].dir)));
  const datasetId = ensureDataset(db, datasetName);
  const run = db.insert(importRuns).values({ datasetId, path: root, format: 'gpt-edit' }).returning({ id: importRuns.id }).get();

  const writer = new BatchWriter(db, datasetId, run.id);
  const problems: ImportProblem[] = [];
  const progress: ImportProgress = {
    bytesRead: 0,
    bytesTotal: files.reduce((sum, f) => sum + fs.statSync(f).size, 0),
    records: 0,
  };
  let filesRead = 0;

  for (const folder of folders) {
    const rootId = ensureImageRoot(db, folder.dir);
    for (const file of folder.metadataFiles) {
      const shownFile = path.relative(baseDir, file) || path.basename(file);
      const report = (reason: string, record?: string | number) => problems.push({ file: shownFile, record, reason });
      let batch: ReadyRecord[] = [];
      let fileBroken = false;
      let readAny = false;
      for await (const entry of readJsonRecords(file, progress)) {
        if (entry.kind === 'bad-file') {
          report(entry.reason);
          fileBroken = true;
          continue;
        }
        readAny = true;
        progress.records++;
        if (entry.kind === 'bad-record') {
          report(entry.reason, entry.index);
          continue;
        }
        const parsed = parseGptEditRecord(entry.value);
        if (!parsed.ok) {
          report(parsed.reason, recordLabel(entry.value, entry.index));
          continue;
        }
        const record = parsed.record;
        if (writer.exists(record.id)) {
          writer.alreadyPresent++;
          continue;
        }
        const images = probeRecordImages(folder.dir, record);
        if ('reason' in images) {
          report(images.reason, record.id);
          continue;
        }
        batch.push({ record, text: entry.text, ...images });
        if (batch.length >= BATCH) {
          writer.write(rootId, batch);
          batch = [];
          options.onProgress?.(progress);
          await new Promise((resolve) => setImmediate(resolve)); // let a server breathe between batches
        }
      }
      writer.write(rootId, batch);
      if (readAny || !fileBroken) filesRead++; // an empty array is read, just empty
      options.onProgress?.(progress);
    }
  }

  db.update(importRuns)
    .set({
      finishedAt: Date.now(),
      imported: writer.imported,
      alreadyPresent: writer.alreadyPresent,
      skipped: problems.filter((p) => p.record !== undefined).length,
      problems: JSON.stringify(problems.slice(0, MAX_STORED_PROBLEMS)),
    })
    .where(eq(importRuns.id, run.id))
    .run();

  if (filesRead === 0) {
    const reasons = problems.map((p) => `${p.file}: ${p.reason}`).join('; ');
    throw new NothingToImportError(`no metadata file could be read (${reasons})`);
  }
  return {
    dataset: datasetName,
    datasetId,
    importRunId: run.id,
    path: root,
    format: 'gpt-edit',
    files: files.length,
    imported: writer.imported,
    alreadyPresent: writer.alreadyPresent,
    skipped: problems.filter((p) => p.record !== undefined).length,
    problems,
    seconds: (performance.now() - started) / 1000,
  };
}

function recordLabel(value: unknown, index: number): string | number {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : index;
}

function probeRecordImages(dir: string, record: GptEditRecord): { source: ImageInfo; output: ImageInfo } | { reason: string } {
  const probe = (field: 'input' | 'output') => {
    try {
      return probeImage(resolveInRoot(dir, record[field]));
    } catch (error) {
      return { reason: `${field} ${record[field]}: ${(error as Error).message}` };
    }
  };
  const source = probe('input');
  if ('reason' in source) return source;
  const output = probe('output');
  if ('reason' in output) return output;
  return { source, output };
}

/** Writes records in one transaction per batch with prepared statements (the hot path). */
class BatchWriter {
  imported = 0;
  alreadyPresent = 0;
  private readonly existsStmt;
  private readonly insertItem;
  private readonly insertInstruction;
  private readonly insertCandidate;
  private readonly maxIds;
  private readonly writeBatch;

  constructor(
    private readonly db: Db,
    private readonly datasetId: number,
    private readonly runId: number,
  ) {
    const sqlite = db.$client;
    this.existsStmt = sqlite.prepare('SELECT 1 FROM items WHERE dataset_id = ? AND external_id = ?').pluck();
    this.insertItem = sqlite.prepare(
      `INSERT INTO items (id, dataset_id, external_id, family, task, instruction_type, source_root_id, source_path,
         source_width, source_height, metadata, current_instruction_id, current_candidate_id, import_run_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (dataset_id, external_id) DO NOTHING`,
    );
    this.insertInstruction = sqlite.prepare('INSERT INTO instruction_versions (id, item_id, kind, text) VALUES (?, ?, ?, ?)');
    this.insertCandidate = sqlite.prepare(
      `INSERT INTO candidates (id, item_id, origin, root_id, path, width, height, provenance)
       VALUES (?, ?, 'dataset', ?, ?, ?, ?, ?)`,
    );
    this.maxIds = sqlite.prepare(
      `SELECT (SELECT coalesce(max(id), 0) FROM items) AS item,
              (SELECT coalesce(max(id), 0) FROM instruction_versions) AS instruction,
              (SELECT coalesce(max(id), 0) FROM candidates) AS candidate`,
    );
    // Ids are assigned here so an item can point at its current versions in one insert;
    // safe because the batch runs in one write transaction.
    this.writeBatch = sqlite.transaction((rootId: number, batch: ReadyRecord[]) => {
      let { item, instruction, candidate } = this.maxIds.get() as { item: number; instruction: number; candidate: number };
      const provenance = JSON.stringify({ importRun: this.runId });
      for (const { record, text, source, output } of batch) {
        const itemId = ++item;
        const firstInstruction = instruction + 1;
        const currentInstruction = instruction + record.instructions.length;
        const candidateId = ++candidate;
        const inserted = this.insertItem.run(
          itemId, this.datasetId, record.id, record.family, record.task, record.instructionType, rootId,
          record.input, source.width, source.height, text, currentInstruction, candidateId, this.runId,
        );
        if (inserted.changes === 0) {
          // The same id twice within one import: the first one stands.
          this.alreadyPresent++;
          item--;
          candidate--;
          continue;
        }
        record.instructions.forEach((version, i) => this.insertInstruction.run(firstInstruction + i, itemId, version.kind, version.text));
        instruction = currentInstruction;
        this.insertCandidate.run(candidateId, itemId, rootId, record.output, output.width, output.height, provenance);
        this.imported++;
      }
    });
  }

  exists(externalId: string): boolean {
    return this.existsStmt.get(this.datasetId, externalId) !== undefined;
  }

  write(rootId: number, batch: ReadyRecord[]) {
    if (batch.length) this.writeBatch(rootId, batch);
  }
}
