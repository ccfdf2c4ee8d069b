import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '@/db';
import { bufferSource, checkImage, ImageRefused, type CheckedImageInfo } from '../../images/check';
import type { ImageInfo } from '../../images/probe';
import { MAX_DECODE_BYTES } from '../../images/read';
import { FolderCache } from '../../images/open';
import { imageStoreRoot, writeStoreFile } from '../../images/store';
import { ensureImageRoot } from '../../datasets';
import type { NewItem } from '../batch-writer';
import { parseGptEditRecord, type GptEditRecord } from '../gpt-edit-record';
import type { ImportOptions } from '../import-gpt-edit';
import { importLimits, formatBytes, type ImportLimits } from '../limits';
import { NothingToImportError, runImport, type ImportSession, type ImportSummary, type Order } from '../session';
import { itemTextProblem } from '../text-checks';
import { classifyMember, imageKey, layoutPath } from './members';
import { Pairing, type KnownImage, type RecordCodec } from './pairing';
import { findTarballs, PartsError, type TarballSource } from './parts';
import { readRecords } from './records';
import { Scratch } from './scratch';
import { ArchiveError, streamArchive, type TarMember } from './stream';

export const TARBALL_FORMAT_NAME = 'gpt-edit-tarball';

/** A checked record waiting for its images, with where it came from (for problems). */
interface WaitingRecord {
  record: GptEditRecord;
  text: string;
  file: string;
  order: Order;
}

/** A stored image: its path in the store and its facts. */
interface StoredRef {
  path: string;
  info: ImageInfo;
}

const BATCH = 2000;
/** A batch is also written once its records' text reaches this many bytes (as the layout import's: lib/import/session.ts). */
const BATCH_BYTES = 32 << 20;
/** The progress callback runs after each batch, and at least every this many compressed bytes. */
const PROGRESS_EVERY_BYTES = 8 << 20;

export interface TarballImportOptions extends ImportOptions {
  /** Largest image member read (default MAX_DECODE_BYTES, the largest image Loupe decodes); a larger one is refused unread. */
  maxImageBytes?: number;
  /** Bytes of records waiting for their images held in memory before more are parked on disk (default 64 MiB). */
  maxWaitingBytes?: number;
  /** Bytes of record text per database batch (default 32 MiB). */
  batchBytes?: number;
}

/**
 * Imports the release's split tarballs (or whole ones) without extracting them: the parts
 * stream through gunzip and tar in one pass; each image is checked in memory and written
 * to the content-addressed store as it goes by (once: same bytes, same file, so a re-run
 * writes nothing again); records, from metadata inside the archive or beside the parts,
 * are matched to their images wherever each appears. Items are the same as importing the
 * extracted layout; idempotent by record id, so an interrupted import resumes by running
 * it again.
 */
export async function importTarball(db: Db, paths: string[], options: TarballImportOptions = {}): Promise<ImportSummary> {
  for (const p of paths) if (!fs.existsSync(p)) throw new NothingToImportError(`no such file or folder: ${p}`);
  let source: TarballSource;
  try {
    source = findTarballs(paths);
  } catch (error) {
    if (error instanceof PartsError) throw new NothingToImportError(error.message);
    throw error;
  }
  const limits = importLimits(options.limits);
  const run = {
    db,
    format: TARBALL_FORMAT_NAME,
    path: paths.length === 1 ? path.resolve(paths[0]) : source.baseDir,
    // Default name: the parts' folder, as the extracted layout's root folder names its dataset.
    dataset: options.dataset ?? path.basename(source.baseDir),
    files: source.archives.reduce((n, a) => n + a.parts.length, 0) + source.metadataFiles.length,
    bytesTotal: source.bytesTotal,
    fileKind: 'archive or metadata file',
    onProgress: options.onProgress,
    limits,
    probe: options.probe,
  };
  return runImport(run, async (session) => {
    // The pairing's state on the data disk beside the database, deleted whatever happens.
    const scratch = new Scratch(path.dirname(db.$client.name));
    try {
      return await new TarballImport(db, session, source, limits, scratch, options).run();
    } finally {
      scratch.dispose();
    }
  });
}

/** A waiting record as parked in the scratch database: its JSON text is parsed again when it is taken back. */
const WAITING_CODEC: RecordCodec<WaitingRecord> = {
  encode: ({ text, file, order }) => JSON.stringify([text, file, order]),
  decode: (stored) => {
    const [text, file, order] = JSON.parse(stored) as [string, string, Order];
    const parsed = parseGptEditRecord(JSON.parse(text));
    if (!parsed.ok) throw new Error(`a parked record no longer parses: ${parsed.reason}`); // it parsed when read
    return { record: parsed.record, text, file, order };
  },
  // The text (UTF-16), the parsed record about as much again, and the object overheads.
  bytes: ({ text, file }) => 4 * text.length + 2 * file.length + 400,
};

class TarballImport {
  private readonly pairing: Pairing<WaitingRecord, StoredRef>;
  private batch: NewItem[] = [];
  private batchBytes = 0;
  /** Records read but not yet looked up in the dataset. */
  private unsettled: (WaitingRecord & { dir: string })[] = [];
  private unsettledBytes = 0;
  /** Metadata read from the archives (layout paths), so the same file beside the parts is not read again. */
  private readonly metadataRead = new Set<string>();
  private readonly maxImageBytes: number;
  private readonly maxBatchBytes: number;
  private readonly onProgress?: ImportOptions['onProgress'];
  private readonly storeDir: string;
  private readonly storeRootId: number;
  private readonly folders = new FolderCache();
  /** Members and files in stream order: the first number of each problem's order. */
  private memberNo = 0;
  private progressAt = 0;

  constructor(
    private readonly db: Db,
    private readonly session: ImportSession,
    private readonly source: TarballSource,
    private readonly limits: ImportLimits,
    scratch: Scratch,
    options: TarballImportOptions,
  ) {
    this.storeDir = imageStoreRoot(db);
    this.storeRootId = ensureImageRoot(db, this.storeDir);
    this.maxImageBytes = options.maxImageBytes ?? MAX_DECODE_BYTES;
    this.maxBatchBytes = options.batchBytes ?? BATCH_BYTES;
    this.onProgress = options.onProgress;
    this.pairing = new Pairing<WaitingRecord, StoredRef>({
      scratch,
      codec: WAITING_CODEC,
      maxWaitingBytes: options.maxWaitingBytes,
      ready: (record, source, output) => this.ready(record, source, output),
      duplicate: (key, where) =>
        this.session.report(where, [this.memberNo++, Infinity], `a second member for image ${key}: the first one in the stream is used`),
    });
  }

  /** Streams every archive, then reads the metadata beside them; returns how many could be read. */
  async run(): Promise<number> {
    let read = 0;
    for (const archive of this.source.archives) {
      let members = 0;
      try {
        await streamArchive(archive, this.session.progress, async (member) => {
          members++;
          await this.member(archive.name, member);
        });
      } catch (error) {
        if (!(error instanceof ArchiveError)) throw error; // a full disk, the database: the import ends
        // What was read stays imported; records whose images were cut off are reported below.
        this.session.report(archive.name, [this.memberNo++, Infinity], error.message);
      }
      if (members > 0) read++;
    }
    for (const file of this.source.metadataFiles) {
      const shown = path.relative(this.source.baseDir, file) || path.basename(file);
      const taskDir = besideTaskDir(this.source.baseDir, file);
      if (this.readInArchive(shown, taskDir)) {
        read++; // the same file came in an archive: its records were read there
        continue;
      }
      if (await this.records(fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>, shown, taskDir, true)) read++;
    }
    this.settle();
    this.pairing.writeImages(); // records parked for the last images are taken back
    this.flush();
    this.reportUnmatched();
    return read;
  }

  /** Whether a metadata file beside the parts was read from an archive already (the same layout path, or for a loose file, the same name). */
  private readInArchive(shown: string, taskDir: string | undefined): boolean {
    const name = path.basename(shown);
    const key = taskDir !== undefined ? `${taskDir}/metadata/${name}` : undefined;
    for (const read of this.metadataRead) if (key ? read === key : path.posix.basename(read) === name) return true;
    return false;
  }

  private async member(archive: string, member: TarMember) {
    if (member.type !== 'file' && member.type !== 'contiguous-file') return;
    const kind = classifyMember(member.name);
    if (kind.kind === 'image') {
      const where = `${archive}: ${member.name}`;
      if (member.size > this.maxImageBytes) {
        // Left unread (the header tells its size): never held in memory.
        this.pairing.image(
          kind.key,
          {
            ok: false,
            reason: `image is ${formatBytes(member.size)}, more than the limit of ${formatBytes(this.maxImageBytes)} (${where})`,
          },
          where,
        );
      } else {
        await this.image(kind.key, await member.read(), where);
      }
    } else if (kind.kind === 'metadata') {
      const name = layoutPath(member.name);
      if (this.metadataRead.has(name)) {
        this.session.report(
          `${archive}:${member.name}`,
          [this.memberNo++, Infinity],
          `a second member for metadata ${name}: the first one in the stream is used`,
        );
      } else {
        this.metadataRead.add(name);
        await this.records(member.chunks(), `${archive}:${member.name}`, kind.taskDir, false);
      }
    }
    if (this.session.progress.bytesRead - this.progressAt >= PROGRESS_EVERY_BYTES) this.progressed();
  }

  /**
   * Checks an image in memory, then writes it to the store (synchronously: the next member is
   * not read meanwhile, while gunzip goes on in the thread pool). A full disk throws: the
   * import ends there.
   */
  private async image(key: string, bytes: Buffer, where: string) {
    let info: CheckedImageInfo;
    try {
      info = checkImage(bufferSource(bytes));
    } catch (error) {
      if (!(error instanceof ImageRefused)) throw error;
      this.pairing.image(key, { ok: false, reason: `${error.message} (${where})` }, where);
      return;
    }
    const stored = await writeStoreFile(this.storeDir, bytes, info.format, this.folders);
    this.pairing.image(key, { ok: true, ref: { path: stored.path, info: { ...info, fileId: stored.fileId } } }, where);
  }

  /**
   * Reads one metadata file's records (as the layout importer does: the same splitter,
   * checks and problems) and hands each to the pairing. `taskDir` is the folder its image
   * paths are relative to; undefined for a loose file beside the parts: then each record's
   * `<dataset_source>/<task>`. Returns whether the file could be read.
   */
  private async records(chunks: AsyncIterable<Buffer>, shown: string, taskDir: string | undefined, countBytes: boolean): Promise<boolean> {
    const order = this.memberNo++;
    let broken = false;
    let readAny = false;
    for await (const entry of readRecords(chunks, countBytes ? this.session.progress : undefined, this.limits)) {
      if (entry.kind === 'bad-file') {
        this.session.report(shown, [order, Infinity], entry.reason);
        broken = true;
        continue;
      }
      readAny = true;
      this.session.progress.records++;
      if (entry.kind === 'bad-record') {
        this.session.report(shown, [order, entry.index], entry.reason, entry.index);
        continue;
      }
      const parsed = parseGptEditRecord(entry.value);
      if (!parsed.ok) {
        this.session.report(shown, [order, entry.index], parsed.reason, recordLabel(entry.value, entry.index));
        continue;
      }
      const { record } = parsed;
      const refused = itemTextProblem(
        {
          externalId: record.id,
          family: record.family,
          task: record.task,
          instructions: record.instructions.map(({ field, text }) => ({ field, text })),
          descriptions: record.descriptions,
        },
        this.limits,
      );
      if (refused) {
        this.session.report(shown, [order, entry.index], refused, record.id);
        continue;
      }
      const dir = taskDir ?? `${record.family}/${record.task}`;
      this.unsettled.push({ record, text: entry.text, file: shown, order: [order, entry.index], dir });
      this.unsettledBytes += entry.text.length;
      if (this.unsettled.length >= BATCH || this.unsettledBytes >= this.maxBatchBytes) this.settle();
    }
    this.settle();
    return readAny || !broken;
  }

  /**
   * Records already in the dataset (an earlier run, or a re-import) are counted now and never
   * wait for their images; the others go to the pairing. One query per batch of records.
   */
  private settle() {
    const records = this.unsettled;
    this.unsettled = [];
    this.unsettledBytes = 0;
    if (records.length === 0) return;
    const { writer } = this.session;
    const existing = writer.existing(records.map((w) => w.record.id));
    const fresh: { record: WaitingRecord; sourceKey: string; outputKey: string }[] = [];
    for (const { dir, ...waiting } of records) {
      if (existing.has(waiting.record.id)) writer.alreadyPresent++;
      else fresh.push({ record: waiting, sourceKey: imageKey(dir, waiting.record.input), outputKey: imageKey(dir, waiting.record.output) });
    }
    this.pairing.records(fresh);
  }

  /** A record with both images known: an item for the next batch, or a problem naming the image refused. */
  private ready(waiting: WaitingRecord, source: KnownImage<StoredRef>, output: KnownImage<StoredRef>) {
    const { record } = waiting;
    const failed = !source.ok
      ? `input ${record.input}: ${source.reason}`
      : !output.ok
        ? `output ${record.output}: ${output.reason}`
        : undefined;
    if (failed || !source.ok || !output.ok) {
      this.session.report(waiting.file, waiting.order, failed!, record.id);
      return;
    }
    this.batch.push({
      externalId: record.id,
      family: record.family,
      task: record.task,
      instructionType: record.instructionType,
      rootId: this.storeRootId,
      sourcePath: source.ref.path,
      source: source.ref.info,
      outputPath: output.ref.path,
      output: output.ref.info,
      metadata: waiting.text,
      instructions: record.instructions.map(({ kind, text }) => ({ kind, text })),
    });
    this.batchBytes += waiting.text.length;
    if (this.batch.length >= BATCH || this.batchBytes >= this.maxBatchBytes) this.flush();
  }

  /** Writes the batch (records already in the dataset are counted, not written again). */
  private flush() {
    const batch = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    if (batch.length === 0) return;
    const { writer } = this.session;
    const existing = writer.existing(batch.map((item) => item.externalId));
    const fresh = batch.filter((item) => !existing.has(item.externalId));
    writer.alreadyPresent += batch.length - fresh.length;
    writer.write(fresh);
    this.progressed();
  }

  private progressed() {
    this.progressAt = this.session.progress.bytesRead;
    this.onProgress?.(this.session.progress);
  }

  /** Records whose images never came by, named where they were read. */
  private reportUnmatched() {
    for (const { record: waiting, missing } of this.pairing.unmatched()) {
      const [first] = missing;
      const [field, value] = first.side === 0 ? ['input', waiting.record.input] : ['output', waiting.record.output];
      this.session.report(waiting.file, waiting.order, `${field} ${value}: not in the archive (no member ${first.key})`, waiting.record.id);
    }
  }
}

/** The task folder of a metadata file beside the parts: from a `<family>/<task>/metadata/` folder, else undefined. */
function besideTaskDir(baseDir: string, file: string): string | undefined {
  const metadataDir = path.dirname(file);
  if (path.basename(metadataDir) !== 'metadata') return undefined;
  return path.relative(baseDir, path.dirname(metadataDir)).split(path.sep).join('/');
}

function recordLabel(value: unknown, index: number): string | number {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : index;
}
