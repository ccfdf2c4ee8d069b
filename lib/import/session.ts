import { eq } from 'drizzle-orm';
import type { Db } from '@/db';
import { importRuns } from '@/db/schema';
import { thisProcess } from '../process/owner';
import { ensureDataset, ensureImageRoot, removeDatasetIfEmpty } from '../datasets';
import { bufferSource, checkImage, ImageRefused } from '../images/check';
import { FileRefused, openInRoot } from '../images/open';
import type { ImageInfo } from '../images/probe';
import { ImageProber, type ProbeKind } from '../images/prober';
import { readCheckedImage } from '../images/read';
import { imageStoreRoot, writeStoreFile } from '../images/store';
import { isS3Url } from '../s3/url';
import { BatchWriter, type NewItem } from './batch-writer';
import { formatBytes, importLimits, type ImportLimits } from './limits';
import { moreProblems as moreProblemsText, ProblemList, type ImportProblem, type Order } from './problems';
import { itemTextProblem } from './text-checks';
import { downloadImage, forEachLimited, MAX_CONCURRENT_DOWNLOADS } from './json-formats/download';

export type { ImportProblem, Order } from './problems';

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
  /** The first MAX_KEPT_PROBLEMS problems in file order. */
  problems: ImportProblem[];
  /** Problems counted beyond those listed. */
  moreProblems: number;
  seconds: number;
}

export interface ImportProgress {
  bytesRead: number;
  bytesTotal: number;
  records: number;
}

/** Nothing could be read at all (no such path, no metadata): the CLI exits non-zero. */
export class NothingToImportError extends Error {}

/**
 * One image of a record: a checked path relative to a folder, or an http(s) URL that is
 * downloaded into the content-addressed store. `field` and `value` name it in problems.
 * With the store in a bucket (LOUPE_STORE=s3://…) a folder's image is copied into it too.
 */
export type ImageSpec = { field: string; value: string } & ({ dir: string; path: string } | { url: string });

/** A record parsed and checked, waiting for its images to be read and its batch to be written. */
export interface PendingItem {
  externalId: string;
  family: string;
  task: string;
  instructionType: string;
  /** Instruction versions; `field` names a version's field in problems when it is not `instructionField`. */
  instructions: (NewItem['instructions'][number] & { field?: string })[];
  /** The instruction's field in the data, naming it in problems (default `instruction`). */
  instructionField?: string;
  /** Descriptions of the images (input_description, ...), checked as text like the instructions. */
  descriptions?: Record<string, unknown>;
  /** The whole record as JSON text. */
  metadata: string;
  source: ImageSpec;
  output: ImageSpec;
  /** The problem position: file shown, then its order. */
  file: string;
  order: Order;
}

interface Located {
  rootId: number;
  dir: string;
  path: string;
  /** Known when the image was checked in memory before it was stored; otherwise its file is probed. */
  info?: ImageInfo;
}

/** Images read or uploaded at once into the store (each held whole in memory meanwhile). */
const MAX_CONCURRENT_STORES = 4;

export interface RunOptions {
  db: Db;
  format: string;
  /** The imported path, absolute: stored in the run and shown in the summary. */
  path: string;
  dataset: string;
  /** How many files will be read, and their total size (for progress). */
  files: number;
  bytesTotal: number;
  /** What a file is called when none could be read ("metadata file"); default "file". */
  fileKind?: string;
  onProgress?: (progress: ImportProgress) => void;
  limits?: ImportLimits;
  /** How images are probed: the checks (default); bench:import passes its header-only baseline. */
  probe?: ProbeKind;
}

const BATCH = 2000;
// A batch also ends at this many bytes of records, so 2000 records near the size limit
// cannot hold gigabytes.
const BATCH_BYTES = 32 << 20;

/**
 * The frame the layout and JSON importers share: one import run row, problems with file +
 * record + reason sorted in file order, a summary of the same shape, and no empty dataset
 * left behind when nothing at all could be read. `body` reads the files and feeds records
 * to the session; it returns how many files it could read.
 */
export async function runImport(options: RunOptions, body: (session: ImportSession) => Promise<number>): Promise<ImportSummary> {
  const started = performance.now();
  const { db } = options;
  const storeRoot = imageStoreRoot(db); // a malformed LOUPE_STORE stops here, before anything is written
  const datasetId = ensureDataset(db, options.dataset);
  const run = db
    .insert(importRuns)
    .values({ datasetId, path: options.path, format: options.format, ...thisProcess() })
    .returning({ id: importRuns.id })
    .get();
  const session = new ImportSession(db, new BatchWriter(db, datasetId, run.id), options, storeRoot);
  let filesRead: number;
  try {
    filesRead = await body(session);
    await session.finish();
  } finally {
    await session.close();
  }
  options.onProgress?.(session.progress);
  const problems = session.problems.sorted();
  const { skipped, more: moreProblems } = session.problems;
  const { imported, alreadyPresent } = session.writer;
  db.update(importRuns)
    .set({
      status: 'done',
      finishedAt: Date.now(),
      imported,
      alreadyPresent,
      skipped,
      problems: JSON.stringify(problems),
    })
    .where(eq(importRuns.id, run.id))
    .run();

  if (filesRead === 0) {
    removeDatasetIfEmpty(db, datasetId); // do not leave an empty dataset behind a failed first import
    const reasons = [...problems.map((p) => `${p.file}: ${p.reason}`), moreProblemsText(moreProblems)].filter(Boolean).join('; ');
    throw new NothingToImportError(`no ${options.fileKind ?? 'file'} could be read (${reasons})`);
  }
  return {
    dataset: options.dataset,
    datasetId,
    importRunId: run.id,
    path: options.path,
    format: options.format,
    files: options.files,
    imported,
    alreadyPresent,
    skipped,
    problems,
    moreProblems,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Overlaps the three stages of an import: while the main thread parses batch N+1, the
 * worker thread reads batch N's image headers, then the main thread writes batch N. At
 * most one batch waits to be written, so memory stays bounded and order is kept. URL
 * images are downloaded (a few at a time) only for records the dataset does not hold yet,
 * so a repeated import fetches nothing. With the store in a bucket, a folder's images are
 * copied into it as well (read one at a time per upload, checked on the bytes uploaded,
 * content-addressed so each is stored once) and recorded against the store's root, as the
 * tarball import's are; with the local store they are referenced where they lie.
 */
export class ImportSession {
  readonly progress: ImportProgress;
  readonly problems = new ProblemList();
  private pending: PendingItem[] = [];
  private pendingBytes = 0;
  readonly limits: ImportLimits;
  private writing: Promise<void> = Promise.resolve();
  private readonly prober: ImageProber;
  private readonly roots = new Map<string, number>();
  /** Whether images in folders are copied into the store (it is a bucket) rather than referenced in place. */
  readonly copiesIntoStore: boolean;

  constructor(
    private readonly db: Db,
    readonly writer: BatchWriter,
    private readonly options: RunOptions,
    /** The store's root as image_roots records it (lib/images/store.ts imageStoreRoot). */
    private readonly storeRoot = imageStoreRoot(db),
  ) {
    this.progress = { bytesRead: 0, bytesTotal: options.bytesTotal, records: 0 };
    this.limits = options.limits ?? importLimits();
    this.prober = new ImageProber(options.probe);
    this.copiesIntoStore = isS3Url(this.storeRoot);
  }

  /** A problem; with a record (id or index) it is a skipped record, without one it concerns the file. */
  report(file: string, order: Order, reason: string, record?: string | number) {
    this.problems.add(record === undefined ? { file, reason } : { file, record, reason }, order);
  }

  /** Queues a parsed record; one whose text or size is refused is reported instead. */
  async add(item: PendingItem) {
    const refused = this.refusal(item);
    if (refused) {
      this.report(item.file, item.order, refused, item.externalId);
      return;
    }
    this.pending.push(item);
    this.pendingBytes += item.metadata.length;
    if (this.pending.length >= BATCH || this.pendingBytes >= BATCH_BYTES) await this.flush();
  }

  private refusal(item: PendingItem): string | undefined {
    const field = item.instructionField ?? 'instruction';
    const instructions = item.instructions.map((version) => ({ field: version.field ?? field, text: version.text }));
    const { externalId, family, task, descriptions } = item;
    const problem = itemTextProblem({ externalId, family, task, instructions, descriptions }, this.limits);
    if (problem) return problem;
    // Records read by the JSON splitter are within the limit already; CSV rows and records
    // rewritten by their importer are measured here.
    const bytes = Buffer.byteLength(item.metadata);
    if (bytes > this.limits.maxRecordBytes) {
      return `record is ${formatBytes(bytes)}, more than the limit of ${formatBytes(this.limits.maxRecordBytes)}`;
    }
    return undefined;
  }

  async finish() {
    await this.flush();
    await this.writing;
  }

  close() {
    return this.prober.close();
  }

  /** The image_roots row of a folder, made on first use. */
  imageRoot(dir: string): number {
    let rootId = this.roots.get(dir);
    if (rootId === undefined) this.roots.set(dir, (rootId = ensureImageRoot(this.db, dir)));
    return rootId;
  }

  private async flush() {
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    // Records already in the dataset are counted without touching their images.
    const existing = this.writer.existing(batch.map((p) => p.externalId));
    const fresh = batch.filter((p) => !existing.has(p.externalId));
    this.writer.alreadyPresent += batch.length - fresh.length;

    const stored = await this.storeImages(fresh);
    const located: { item: PendingItem; source: Located; output: Located }[] = [];
    for (const item of fresh) {
      const source = this.locate(item.source, stored);
      const output = this.locate(item.output, stored);
      const failed = failure(item, source, output);
      if (failed) this.report(item.file, item.order, failed, item.externalId);
      else located.push({ item, source: source as Located, output: output as Located });
    }

    // Images checked in memory as they were stored are not read again.
    const unchecked: Located[] = [];
    for (const { source, output } of located) {
      if (!source.info) unchecked.push(source);
      if (!output.info) unchecked.push(output);
    }
    const probing = unchecked.length
      ? this.prober.probe(unchecked.map((image) => ({ root: image.dir, path: image.path })))
      : Promise.resolve([]);
    await this.writing;
    this.writing = probing.then((results) => {
      // The results come in the order the images were listed: each record's source, then its output.
      let next = 0;
      const items: NewItem[] = [];
      for (const { item, source, output } of located) {
        const sourceInfo = source.info ?? results[next++];
        const outputInfo = output.info ?? results[next++];
        const failed = failure(item, sourceInfo, outputInfo);
        if (failed) {
          this.report(item.file, item.order, failed, item.externalId);
          continue;
        }
        items.push({
          externalId: item.externalId,
          family: item.family,
          task: item.task,
          instructionType: item.instructionType,
          rootId: source.rootId,
          outputRootId: output.rootId,
          sourcePath: source.path,
          source: sourceInfo as ImageInfo,
          outputPath: output.path,
          output: outputInfo as ImageInfo,
          metadata: item.metadata,
          instructions: item.instructions,
        });
      }
      this.writer.write(items);
      this.options.onProgress?.(this.progress);
    });
  }

  /**
   * Puts every distinct image of the batch that goes into the store there (URLs always; with
   * the store in a bucket, folders' images too): its location with its checked facts, or why
   * it was refused. A URL's image the store cannot take (a full disk) fails its records, as it
   * always did; a folder's image the bucket cannot take ends the import, as the tarball import's does.
   */
  private async storeImages(items: PendingItem[]): Promise<Map<string, Located | string>> {
    const wanted = new Map<string, ImageSpec>();
    for (const item of items) {
      for (const image of [item.source, item.output]) {
        const key = this.storeKey(image);
        if (key !== undefined && !wanted.has(key)) wanted.set(key, image);
      }
    }
    const done = new Map<string, Located | string>();
    const limit = this.copiesIntoStore ? MAX_CONCURRENT_STORES : MAX_CONCURRENT_DOWNLOADS;
    await forEachLimited([...wanted], limit, async ([key, image]) => {
      const read = 'url' in image ? await downloaded(image.url) : await readFromFolder(image.dir, image.path);
      if (typeof read === 'string') {
        done.set(key, read);
        return;
      }
      // Checked on the very bytes that are written (downloads were checked already; this gives the facts).
      const info = checkImage(bufferSource(read.bytes));
      let stored: Awaited<ReturnType<typeof writeStoreFile>>;
      try {
        stored = await writeStoreFile(this.storeRoot, read.bytes, info.format);
      } catch (error) {
        if (!('url' in image)) throw error;
        done.set(key, `download failed: ${(error as Error).message}`); // as before: the record is reported, the import goes on
        return;
      }
      done.set(key, {
        rootId: this.imageRoot(this.storeRoot),
        dir: this.storeRoot,
        path: stored.path,
        info: { ...info, fileId: stored.fileId },
      });
    });
    return done;
  }

  /** The key of an image that goes into the store, or undefined for one referenced where it lies. */
  private storeKey(image: ImageSpec): string | undefined {
    if ('url' in image) return `url:${image.url}`;
    return this.copiesIntoStore ? `file:${image.dir}\0${image.path}` : undefined;
  }

  private locate(image: ImageSpec, stored: Map<string, Located | string>): Located | string {
    if ('url' in image || this.copiesIntoStore) return stored.get(this.storeKey(image)!)!;
    return { rootId: this.imageRoot(image.dir), dir: image.dir, path: image.path };
  }
}

/** A URL's image, downloaded and checked, or why it failed. */
async function downloaded(url: string): Promise<{ bytes: Buffer } | string> {
  try {
    return await downloadImage(url);
  } catch (error) {
    return `download failed: ${(error as Error).message}`;
  }
}

/**
 * A folder's image read whole for the store: opened inside its folder (refusing a link out of
 * it), checked before it is read and again on the bytes read (lib/images/read.ts), or the
 * reason it is refused, worded as the probe words it (lib/images/probe.ts probeOrReason).
 */
async function readFromFolder(dir: string, relative: string): Promise<{ bytes: Buffer } | string> {
  let opened: Awaited<ReturnType<typeof openInRoot>> | undefined;
  try {
    opened = await openInRoot(dir, relative);
    return { bytes: await readCheckedImage(opened.handle) };
  } catch (error) {
    if (error instanceof ImageRefused || error instanceof FileRefused) return error.message;
    return `cannot read image (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  } finally {
    await opened?.handle.close();
  }
}

/** Why a record cannot be imported: the first of its two images that failed, named as in the data. */
function failure(item: PendingItem, source: object | string, output: object | string): string | undefined {
  if (typeof source === 'string') return `${item.source.field} ${item.source.value}: ${source}`;
  if (typeof output === 'string') return `${item.output.field} ${item.output.value}: ${output}`;
  return undefined;
}
