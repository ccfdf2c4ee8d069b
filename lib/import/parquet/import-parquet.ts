import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Db } from '@/db';
import { importRuns } from '@/db/schema';
import { thisProcess } from '../../process/owner';
import { ensureDataset, removeDatasetIfEmpty } from '../../datasets';
import { BatchWriter, type NewItem } from '../batch-writer';
import type { ImportFormat } from '../format-types';
import { NothingToImportError, type ImportOptions, type ImportProgress, type ImportSummary } from '../import-gpt-edit';
import { importLimits, type ImportLimits } from '../limits';
import { moreProblems as moreProblemsText, ProblemList } from '../problems';
import { itemTextProblem, recordProblem } from '../text-checks';
import { checkEmbeddedImage, isNoImage, storeCheckedImage, type CheckedImage } from './images';
import type { DatasetMapping, ItemDraft, RowPosition, StoredImages } from './mapping';
import { findParquetFiles, parquetColumns, ParquetShard, type Row, type RowGroupSpan } from './shard';

export interface ParquetImportOptions extends ImportOptions {
  /** Stops the import between two row groups (what is written stays; a re-run resumes). */
  signal?: AbortSignal;
}

/** The registry entry of one dataset's parquet shards. */
export function parquetFormat(mapping: DatasetMapping): ImportFormat {
  return {
    name: mapping.format,
    description: mapping.description,
    detect: async (target) => {
      try {
        const [first] = findParquetFiles(target, 1);
        if (!first) return false;
        const columns = await parquetColumns(first);
        return mapping.requiredColumns.every((c) => columns.includes(c));
      } catch {
        return false;
      }
    },
    run: (db, target, options) => importParquet(db, target, mapping, options),
  };
}

/**
 * Imports Hugging Face parquet shards (one file, or a folder of them) of the dataset the
 * mapping describes. Reads one row group at a time; embedded images go to the
 * content-addressed store; each row group is one BatchWriter batch. Idempotent by item id,
 * and so resumable: a row group whose items are all present is skipped before its images
 * are even read.
 */
export async function importParquet(
  db: Db,
  inputPath: string,
  mapping: DatasetMapping,
  options: ParquetImportOptions = {},
): Promise<ImportSummary> {
  const started = performance.now();
  const root = path.resolve(inputPath);
  if (!fs.existsSync(root)) throw new NothingToImportError(`no such file or folder: ${inputPath}`);
  const files = findParquetFiles(root);
  if (files.length === 0) throw new NothingToImportError(`no .parquet files found at ${inputPath}`);
  const baseDir = fs.statSync(root).isFile() ? path.dirname(root) : root;
  const datasetName = options.dataset ?? mapping.defaultDataset;
  const datasetId = ensureDataset(db, datasetName);
  const run = db
    .insert(importRuns)
    .values({ datasetId, path: root, format: mapping.format, ...thisProcess() })
    .returning({ id: importRuns.id })
    .get();

  const job = new ParquetImport(db, mapping, new BatchWriter(db, datasetId, run.id), options, {
    bytesRead: 0,
    bytesTotal: files.reduce((sum, f) => sum + fs.statSync(f).size, 0),
    records: 0,
  });
  let filesRead = 0;
  for (const file of files) {
    if (options.signal?.aborted) break;
    if (await job.shard(file, path.relative(baseDir, file) || path.basename(file))) filesRead++;
  }
  options.onProgress?.(job.progress);

  const { writer } = job;
  const problems = job.problems.sorted();
  const { skipped, more: moreProblems } = job.problems;
  db.update(importRuns)
    .set({
      status: 'done',
      finishedAt: Date.now(),
      imported: writer.imported,
      alreadyPresent: writer.alreadyPresent,
      skipped,
      problems: JSON.stringify(problems),
    })
    .where(eq(importRuns.id, run.id))
    .run();

  if (filesRead === 0 && !options.signal?.aborted) {
    removeDatasetIfEmpty(db, datasetId); // do not leave an empty dataset behind a failed first import
    const reasons = [...problems.map((p) => `${p.file}: ${p.reason}`), moreProblemsText(moreProblems)].filter(Boolean).join('; ');
    throw new NothingToImportError(`no parquet file could be read (${reasons})`);
  }
  return {
    dataset: datasetName,
    datasetId,
    importRunId: run.id,
    path: root,
    format: mapping.format,
    files: files.length,
    imported: writer.imported,
    alreadyPresent: writer.alreadyPresent,
    skipped,
    problems,
    moreProblems,
    seconds: (performance.now() - started) / 1000,
  };
}

class ParquetImport {
  readonly problems = new ProblemList();
  private problemCount = 0; // reported in order: this is each problem's place
  private readonly limits: ImportLimits;

  constructor(
    private readonly db: Db,
    private readonly mapping: DatasetMapping,
    readonly writer: BatchWriter,
    private readonly options: ParquetImportOptions,
    readonly progress: ImportProgress,
  ) {
    this.limits = importLimits(options.limits);
  }

  /** Imports one shard; false when it could not be read at all (reported). */
  async shard(file: string, shown: string): Promise<boolean> {
    const report = (reason: string, record?: string | number) =>
      this.problems.add(record === undefined ? { file: shown, reason } : { file: shown, record, reason }, [0, this.problemCount++]);
    const size = fs.statSync(file).size;
    let shard: ParquetShard;
    try {
      shard = await ParquetShard.open(file);
    } catch (error) {
      report(`not a readable parquet file: ${(error as Error).message}`);
      this.progress.bytesRead += size;
      return false;
    }
    try {
      const missing = this.mapping.requiredColumns.filter((c) => !shard.columns.includes(c));
      if (missing.length) {
        report(`not a ${this.mapping.format} shard: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
        this.progress.bytesRead += size;
        return false;
      }
      const name = path.basename(file, '.parquet');
      let groupsBytes = 0;
      for (const span of shard.rowGroups) {
        if (this.options.signal?.aborted) return true;
        await this.rowGroup(shard, span, name, report);
        groupsBytes += span.bytes;
        this.progress.bytesRead += span.bytes;
        this.options.onProgress?.(this.progress);
      }
      this.progress.bytesRead += size - groupsBytes; // the footer and headers
      return true;
    } finally {
      await shard.close();
    }
  }

  /** One row group: one read of its ids, then (unless all are present) one of its rows, one batch. */
  private async rowGroup(
    shard: ParquetShard,
    span: RowGroupSpan,
    shardName: string,
    report: (reason: string, record?: string | number) => void,
  ) {
    const { mapping, writer } = this;
    const at = (i: number): RowPosition => ({ shard: shardName, row: span.rowStart + i });
    const count = span.rowEnd - span.rowStart;
    // A group that cannot be decoded (corrupt, truncated) is reported; the next may be fine.
    const read = (columns: string[]) =>
      shard.read(span, columns).catch((error: Error) => {
        report(`rows ${span.rowStart}-${span.rowEnd - 1} could not be read: ${error.message}`);
        return undefined;
      });
    const idRows = mapping.idColumns.length ? await read(mapping.idColumns) : Array.from({ length: count }, () => ({}));
    if (!idRows) return;
    const ids = idRows.map((row, i) => mapping.itemIds(row, at(i)));
    const existing = writer.existing(ids.flat());
    const done = (rowIds: string[]) => rowIds.length > 0 && rowIds.every((id) => existing.has(id));
    this.progress.records += count;
    if (ids.every(done)) {
      writer.alreadyPresent += ids.flat().length; // finished in an earlier run: images not even read
      return;
    }

    const rows = await read(shard.columns);
    if (!rows) return;
    const batch: NewItem[] = [];
    for (const [i, row] of rows.entries()) {
      if (done(ids[i])) {
        writer.alreadyPresent += ids[i].length;
        continue;
      }
      if (ids[i].length === 0) {
        report(`no id (${mapping.idColumns.join(', ')} is empty)`, at(i).row);
        continue;
      }
      // Checked before storing anything, so a rejected row leaves no image behind.
      const drafts: ItemDraft[] = [];
      for (const result of mapping.toItems(row, at(i))) {
        const problem = 'problem' in result ? result.problem : this.refusal(row, result);
        if (problem) report(problem, result.externalId);
        else drafts.push(result as ItemDraft);
      }
      if (drafts.length === 0) continue;
      const images = await this.storeImages(row);
      if (typeof images === 'string') {
        for (const draft of drafts) report(images, draft.externalId);
        continue;
      }
      const fields = mapping.imageFields?.(images);
      for (const draft of drafts) batch.push(this.newItem(row, images, { ...draft, extra: { ...draft.extra, ...fields } }, at(i)));
    }
    writer.write(batch); // one transaction for the group
  }

  /** Why an item of the row is refused for its text, size or nesting (before any image is stored). */
  private refusal(row: Row, draft: ItemDraft): string | undefined {
    const instructions = draft.instructions.map((text) => ({ field: draft.instructionField, text }));
    const problem = itemTextProblem(
      { externalId: draft.externalId, family: this.mapping.family, task: draft.task, instructions, descriptions: draft.extra },
      this.limits,
    );
    // The record as it will be stored, but for the images' {path, sha256}: a few bytes each.
    return problem ?? recordProblem(JSON.stringify({ ...storedRecord(row, {}), ...draft.extra }), this.limits);
  }

  /**
   * Checks all of a row's images, then stores them (the same bytes once); or returns the
   * first reason one is unusable, having stored nothing.
   */
  private async storeImages(row: Row): Promise<StoredImages | string> {
    const checked: [string, CheckedImage][] = [];
    for (const { column, optional } of this.mapping.images) {
      if (optional && isNoImage(row[column])) continue;
      try {
        checked.push([column, checkEmbeddedImage(row[column])]);
      } catch (error) {
        return `${column}: ${(error as Error).message}`;
      }
    }
    const stored: StoredImages = {};
    for (const [column, image] of checked) stored[column] = await storeCheckedImage(this.db, image);
    return stored;
  }

  private newItem(row: Row, images: StoredImages, draft: ItemDraft, at: RowPosition): NewItem {
    const source = images[draft.source]!;
    const output = images[draft.output]!;
    const [current, ...others] = draft.instructions;
    return {
      externalId: draft.externalId,
      family: this.mapping.family,
      task: draft.task,
      instructionType: 'original',
      rootId: source.rootId, // every stored image shares the store's root
      sourcePath: source.path,
      source: source.info,
      outputPath: output.path,
      output: output.info,
      metadata: JSON.stringify({
        ...storedRecord(row, images),
        ...draft.extra,
        parquet: { file: `${at.shard}.parquet`, row: at.row },
      }),
      // The writer makes the last version current; the first prompt is the current one.
      instructions: [...others, current].map((text) => ({ kind: 'original' as const, text })),
    };
  }
}

/**
 * The row as stored in the item's record: every column, with each image replaced by its
 * Hugging Face path and sha256 (the bytes live in the image store), int64 as numbers.
 */
export function storedRecord(row: Row, images: StoredImages): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    const image = images[key];
    record[key] = image ? { path: image.originalPath, sha256: image.sha256 } : jsonValue(value);
  }
  return record;
}

function jsonValue(value: unknown): unknown {
  if (typeof value === 'bigint')
    return value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER ? Number(value) : String(value);
  if (value instanceof Uint8Array) return undefined; // raw bytes are not kept in the record
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]));
  }
  return value;
}
