import path from 'node:path';
import type { Db } from '@/db';
import { WrittenFiles } from './files';
import type { ExportFormat, ImageMode } from './formats';
import { ImagePlacer, type ImageCounts } from './images';
import { MANIFEST, prepareOutDir, writeManifest, writeManifestStub, type ManifestFields } from './output';
import { isS3Target, S3Target, s3TargetUrl } from './s3-target';
import { failExportRecord, finishExportRecord, startExportRecord } from './records';
import { checkImageMode, checkSpace, chooseImageMode, estimateBytes, freeSpaceOf, type ExportPlan, type FreeSpaceProbe } from './space';
import {
  describeFilter,
  ExportError,
  ItemResolver,
  listTaskGroups,
  taskPages,
  type ExportFilter,
  type ExportItem,
  type ExportSelection,
  type ItemRow,
  type LineRow,
  type PageRow,
  type TaskGroup,
} from './selection';

/**
 * The export loop every format shares: the selected items in (family, task, id) order,
 * read in keyset pages, each resolved to its chosen instruction and images and handed to
 * the format's writer; problems are collected, the run is recorded in `exports`, and the
 * manifest lists every file written.
 */

export interface ExportOptions extends ExportSelection {
  out: string;
  onProgress?: (done: number, total: number) => void;
  /** Who asked, for the `exports` table (e.g. `cli:alice`). */
  createdBy?: string;
  /** The unfinished run this one writes again into the same folder (export --resume). */
  resumes?: number;
  /** gpt-edit, training and jsonl: copy, hard-link or only reference the images (default: link on the same filesystem, else copy). */
  images?: ImageMode;
  /** Told the plan (image mode, estimated size, free space) before anything is written. */
  onPlan?: (plan: ExportPlan) => void;
  /** Free space of the export folder's disk (tests); statfs by default. */
  freeSpace?: FreeSpaceProbe;
}

export interface ExportProblem {
  /** The record's id (items.external_id). */
  item: string;
  reason: string;
}

export interface ExportSummary {
  /** The run's row in the `exports` table. */
  exportId: number;
  out: string;
  format: ExportFormat;
  filter: ExportFilter;
  /** Records written. */
  items: number;
  /** Data files written (the manifest is not counted) and their total size. */
  files: number;
  bytes: number;
  /** Records left out; `problems` lists the first MAX_PROBLEMS of them. */
  skipped: number;
  problems: ExportProblem[];
  seconds: number;
  /** How images were written (copy, link, none, or embedded in the format's files), and how many each way. */
  images: ExportPlan['images'];
  imageCounts: ImageCounts;
  /** The size estimated before it started, and the free space then. */
  estimatedBytes: number;
  freeBytes: number;
  /** Said once per kind: why the mode was chosen, links refused and copied instead. */
  notices: string[];
}

// A moved dataset folder makes every record a problem: keep the summary small.
const MAX_PROBLEMS = 1000;

export interface ExportContext {
  db: Db;
  /** The export folder (absolute). */
  out: string;
  /** Every data file the writer makes must be added here (path relative to `out`). */
  files: WrittenFiles;
  /** Places the images of the formats that lay them out as files, by the export's image mode. */
  images: ImagePlacer;
  /** The item a row exports, or why it cannot be (for a writer's `writeRow`). */
  resolve(row: ItemRow, group: TaskGroup): ExportItem | { problem: string };
}

/** One format's writing. `writeItem` returns why an item is left out, or nothing once it is written. */
export interface FormatWriter {
  beginTask?(group: TaskGroup): Promise<void> | void;
  writeItem(item: ExportItem): Promise<string | undefined>;
  /**
   * Writes a row of taskPages `lines` itself, instead of the loop resolving a `joined` row into an
   * ExportItem for `writeItem` (a format's fast path: jsonl --images none). A promise only when it
   * had to wait.
   */
  writeRow?(row: LineRow, group: TaskGroup): string | undefined | Promise<string | undefined>;
  endTask?(group: TaskGroup): Promise<void>;
  /** Called once after the last item, before the manifest. */
  finish(): Promise<void>;
}

export interface FormatSpec {
  format: ExportFormat;
  /** Options that shape the files, written to the manifest. */
  options?: Record<string, unknown>;
  /** Throws an ExportError for an output folder this format cannot be written to. */
  checkOut?(out: string): void;
  open(context: ExportContext): FormatWriter;
}

export async function runExport(db: Db, options: ExportOptions, spec: FormatSpec): Promise<ExportSummary> {
  const started = performance.now();
  // An s3:// target is written through a staging folder, each file uploaded once finished (s3-target.ts).
  const toBucket = isS3Target(options.out);
  const out = toBucket ? s3TargetUrl(options.out) : path.resolve(options.out);
  const status = options.status ?? 'accepted';
  const selection = { ...options, status };
  const filter = describeFilter(db, selection);
  if (toBucket && spec.format === 'gpt-image-edit-training')
    throw new ExportError(`${spec.format} names local files in data.txt: export it to a folder, not to ${out}`);
  spec.checkOut?.(out);
  checkImageMode(spec.format, options.images);
  const exportId = startExportRecord(db, {
    format: spec.format,
    filter,
    outPath: out,
    createdBy: options.createdBy ?? 'unknown',
    resumes: options.resumes,
  });

  let target: S3Target | undefined;
  const files = new WrittenFiles((rel) => target?.add(rel));
  try {
    if (toBucket) target = await S3Target.open(out);
    // The folder the formats write in: the export's, or the staging folder of an upload.
    const local = target?.staging ?? out;
    const groups = listTaskGroups(db, selection);
    const total = groups.reduce((sum, g) => sum + g.n, 0);
    // Before anything is written: the image mode, the size, and a refusal when the disk is short.
    const chosen = chooseImageMode(db, out, spec.format, options.images);
    const plan: ExportPlan = {
      ...chosen,
      estimatedBytes: await estimateBytes(db, groups, status, total, spec.format, chosen.images, local),
      freeBytes: await freeSpaceOf(local, options.freeSpace),
    };
    options.onPlan?.(plan);
    // A bucket has no free space to check; the staging folder holds only the files in flight.
    if (!target) checkSpace(out, plan);
    const imageMode = plan.images === 'embedded' ? undefined : plan.images;
    const formatOptions = imageMode ? { ...spec.options, images: imageMode } : spec.options;
    const createdAt = new Date().toISOString();
    const fields = (counts: ManifestFields['counts']): ManifestFields => ({
      format: spec.format,
      run: exportId,
      filter,
      createdAt,
      counts,
      ...(formatOptions ? { options: formatOptions } : {}),
    });
    // The stub names this run before an earlier export's files are deleted: from then on only this run's --clean may touch the folder.
    await prepareOutDir(db, local, spec.format, () => writeManifestStub(local, fields({ items: 0, skipped: 0, files: 0, bytes: 0 })));

    const images = new ImagePlacer(db, local, files, imageMode ?? 'copy');
    // Images that are not written are not opened either (the references name them; lib/export/images.ts).
    const resolver = new ItemResolver(db, imageMode !== 'none');
    const writer = spec.open({
      db,
      out: local,
      files,
      images,
      resolve: (row, group) => resolver.resolve(row, group),
    });
    // External ids are unique within a dataset: only an export of several can repeat one.
    const severalDatasets = new Set(groups.flatMap((g) => g.datasetIds)).size > 1;
    const problems: ExportProblem[] = [];
    let done = 0;
    let items = 0;
    let skipped = 0;
    const problem = (externalId: string, reason: string) => {
      skipped++;
      if (problems.length < MAX_PROBLEMS) problems.push({ item: externalId, reason });
    };

    options.onProgress?.(0, total);
    for (const group of groups) {
      await writer.beginTask?.(group);
      // Each page is one query: the items with their deciding verdicts and what those chose.
      const pages: Generator<(LineRow | PageRow)[]> = writer.writeRow
        ? taskPages(db, group, status, 'lines')
        : taskPages(db, group, status, 'joined');
      for (const page of pages) {
        for (const row of page) {
          done++;
          if (severalDatasets && files.hasId(row.external_id)) {
            problem(row.external_id, 'another record with this id is already in the export (from another dataset)');
            continue;
          }
          let reason: string | undefined | Promise<string | undefined>;
          if (writer.writeRow) reason = writer.writeRow(row as LineRow, group);
          else {
            const item = resolver.resolve(row as PageRow, group);
            reason = 'problem' in item ? item.problem : writer.writeItem(item);
          }
          // Awaited only when pending: a fast path's row costs no trip through the microtask queue.
          if (reason instanceof Promise) reason = await reason;
          if (target) await target.settle();
          if (reason !== undefined) {
            problem(row.external_id, reason);
            continue;
          }
          if (severalDatasets) files.addId(row.external_id);
          items++;
        }
        options.onProgress?.(done, total);
      }
      await writer.endTask?.(group);
    }
    await writer.finish();
    const totals = files.totals();
    const counts = { items, skipped, ...totals };
    await writeManifest(local, fields(counts), files);
    await target?.finish(MANIFEST);
    finishExportRecord(db, exportId, counts);
    options.onProgress?.(done, total);
    return {
      exportId,
      out,
      format: spec.format,
      filter,
      items,
      files: totals.files,
      bytes: totals.bytes,
      skipped,
      problems,
      seconds: (performance.now() - started) / 1000,
      images: plan.images,
      imageCounts: images.counts,
      estimatedBytes: plan.estimatedBytes,
      freeBytes: plan.freeBytes,
      notices: [...(plan.note ? [plan.note] : []), ...images.notices(), ...(target ? [target.notice()] : [])],
    };
  } catch (error) {
    const cause = outOfSpace(error, out);
    failExportRecord(db, exportId, cause);
    throw cause;
  } finally {
    files.close();
    await target?.close();
  }
}

/** A file write that ran out of space names the export folder (its disk may not be the database's). */
function outOfSpace(error: unknown, out: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT' && code !== 'EFBIG') return error;
  return Object.assign(new Error(`no space left on the disk of ${out} (${code})`, { cause: error }), { code, path: out });
}
