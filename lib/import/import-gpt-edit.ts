import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Db } from '@/db';
import { importRuns } from '@/db/schema';
import { ensureDataset, ensureImageRoot, removeDatasetIfEmpty } from '../datasets';
import type { ImageInfo } from '../images/probe';
import { ImageProber, type ProbeResult } from '../images/prober';
import { resolveInRoot } from '../images/paths';
import { BatchWriter, type NewItem } from './batch-writer';
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
  /** The import format's name (see lib/import/formats.ts). */
  format: string;
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
  /** Column mapping for the generic JSONL / CSV formats (ignored by the others). */
  columns?: ColumnMapping;
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

/** Nothing could be read at all (no such path, no metadata): the CLI exits non-zero. */
export class NothingToImportError extends Error {}

const BATCH = 2000;
// Keep the database row of a run small; the full list goes to the caller.
const MAX_STORED_PROBLEMS = 1000;

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

  const problems: (ImportProblem & { order: [number, number] })[] = [];
  const progress: ImportProgress = {
    bytesRead: 0,
    bytesTotal: files.reduce((sum, f) => sum + fs.statSync(f).size, 0),
    records: 0,
  };
  const pipeline = new ImportPipeline(
    new BatchWriter(db, datasetId, run.id),
    (problem) => problems.push(problem),
    () => options.onProgress?.(progress),
  );
  let filesRead = 0;
  let fileNo = 0;

  try {
    for (const folder of folders) {
      const rootId = ensureImageRoot(db, folder.dir);
      for (const file of folder.metadataFiles) {
        const shownFile = path.relative(baseDir, file) || path.basename(file);
        const order = fileNo++;
        const report = (reason: string, index: number, record?: string | number) =>
          problems.push({ file: shownFile, record, reason, order: [order, index] });
        let fileBroken = false;
        let readAny = false;
        for await (const entry of readJsonRecords(file, progress)) {
          if (entry.kind === 'bad-file') {
            report(entry.reason, Infinity); // a break ends the file: after its records
            fileBroken = true;
            continue;
          }
          readAny = true;
          progress.records++;
          if (entry.kind === 'bad-record') {
            report(entry.reason, entry.index, entry.index);
            continue;
          }
          const parsed = parseGptEditRecord(entry.value);
          if (!parsed.ok) {
            report(parsed.reason, entry.index, recordLabel(entry.value, entry.index));
            continue;
          }
          const { record } = parsed;
          await pipeline.add({ record, text: entry.text, dir: folder.dir, rootId, file: shownFile, order: [order, entry.index] });
        }
        if (readAny || !fileBroken) filesRead++; // an empty array is read, just empty
      }
    }
    await pipeline.finish();
  } finally {
    await pipeline.close();
  }
  options.onProgress?.(progress);
  problems.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1]);
  const reported = problems.map(({ order: _order, ...problem }) => problem);
  const skipped = reported.filter((p) => p.record !== undefined).length;
  const { imported, alreadyPresent } = pipeline.writer;

  db.update(importRuns)
    .set({
      finishedAt: Date.now(),
      imported,
      alreadyPresent,
      skipped,
      problems: JSON.stringify(reported.slice(0, MAX_STORED_PROBLEMS)),
    })
    .where(eq(importRuns.id, run.id))
    .run();

  if (filesRead === 0) {
    removeDatasetIfEmpty(db, datasetId); // do not leave an empty dataset behind a failed first import
    const reasons = reported.map((p) => `${p.file}: ${p.reason}`).join('; ');
    throw new NothingToImportError(`no metadata file could be read (${reasons})`);
  }
  return {
    dataset: datasetName,
    datasetId,
    importRunId: run.id,
    path: root,
    format: 'gpt-edit',
    files: files.length,
    imported,
    alreadyPresent,
    skipped,
    problems: reported,
    seconds: (performance.now() - started) / 1000,
  };
}

function recordLabel(value: unknown, index: number): string | number {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : index;
}

interface PendingRecord {
  record: GptEditRecord;
  text: string;
  dir: string;
  rootId: number;
  file: string;
  order: [number, number];
}

/**
 * Overlaps the three stages of an import: while the main thread parses batch N+1, the
 * worker thread reads batch N's image headers, then the main thread writes batch N. At
 * most one batch waits to be written, so memory stays bounded and order is kept.
 */
class ImportPipeline {
  private pending: PendingRecord[] = [];
  private writing: Promise<void> = Promise.resolve();
  private readonly prober = new ImageProber();

  constructor(
    readonly writer: BatchWriter,
    private readonly report: (problem: ImportProblem & { order: [number, number] }) => void,
    private readonly onWritten: () => void,
  ) {}

  async add(record: PendingRecord) {
    this.pending.push(record);
    if (this.pending.length >= BATCH) await this.flush();
  }

  async finish() {
    await this.flush();
    await this.writing;
  }

  close() {
    return this.prober.close();
  }

  private async flush() {
    const batch = this.pending;
    this.pending = [];
    // Records already in the dataset are counted without touching their images.
    const existing = this.writer.existing(batch.map((p) => p.record.id));
    const fresh = batch.filter((p) => !existing.has(p.record.id));
    this.writer.alreadyPresent += batch.length - fresh.length;
    const probing = this.prober.probe(
      fresh.flatMap((p) => [resolveInRoot(p.dir, p.record.input), resolveInRoot(p.dir, p.record.output)]),
    );
    await this.writing;
    this.writing = probing.then((results) => {
      this.writer.write(this.ready(fresh, results));
      this.onWritten();
    });
  }

  /** Pairs records with their probed images; a record with an unreadable image is reported. */
  private ready(records: PendingRecord[], results: ProbeResult[]): NewItem[] {
    const items: NewItem[] = [];
    records.forEach((p, i) => {
      const [source, output] = [results[2 * i], results[2 * i + 1]];
      const failed = typeof source === 'string' ? ['input', source] : typeof output === 'string' ? ['output', output] : undefined;
      if (failed) {
        const [field, reason] = failed as ['input' | 'output', string];
        this.report({ file: p.file, record: p.record.id, reason: `${field} ${p.record[field]}: ${reason}`, order: p.order });
        return;
      }
      items.push({
        externalId: p.record.id,
        family: p.record.family,
        task: p.record.task,
        instructionType: p.record.instructionType,
        rootId: p.rootId,
        sourcePath: p.record.input,
        source: source as ImageInfo,
        outputPath: p.record.output,
        output: output as ImageInfo,
        metadata: p.text,
        instructions: p.record.instructions,
      });
    });
    return items;
  }
}
