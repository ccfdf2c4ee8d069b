import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { openCheckedImage, type CheckedHandle } from '../images/checked-file';
import { CHANGED, type CheckedFile, fileIdOf, FileRefused, NOT_FOUND, NOT_REGULAR, OUTSIDE_ROOT } from '../images/open';
import { isS3Url } from '../s3/url';
import type { ImageFile } from './selection';

/** Writing an export's files: streamed, hashed on the way, and listed for the manifest. */

// Large writes: a few hundred system calls for a million records.
const FLUSH_BYTES = 4 << 20;

/** The file of export path `rel` (POSIX, relative to the export folder). */
export function exportFile(out: string, rel: string): string {
  return path.join(out, ...rel.split('/'));
}

/**
 * A file written as a stream through a buffer, with its size and SHA-256 computed on the way (no second read).
 * Text is gathered as one string and encoded once per flush (a million short lines cost no Buffer each).
 */
export class HashedFileWriter {
  private buffered: Buffer[] = [];
  private text = '';
  /** Bytes buffered, counting text by its length (a lower bound of its UTF-8 size). */
  private bufferedBytes = 0;
  private bytes = 0;
  private readonly hash = crypto.createHash('sha256');
  /** The write under way: the caller goes on filling the next buffer meanwhile. */
  private writing: Promise<void> | undefined;

  private constructor(private readonly handle: fs.promises.FileHandle) {}

  static async open(file: string): Promise<HashedFileWriter> {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    return new HashedFileWriter(await fs.promises.open(file, 'w'));
  }

  /**
   * Buffers `data`. A full buffer is written out while the caller goes on; a promise (to await)
   * only when the write before it is still under way, so at most two buffers are held.
   */
  write(data: string | Buffer): Promise<void> | undefined {
    if (typeof data === 'string') this.text += data;
    else {
      this.takeText();
      this.buffered.push(data);
    }
    this.bufferedBytes += data.length;
    return this.bufferedBytes >= FLUSH_BYTES ? this.flush() : undefined;
  }

  async close(): Promise<{ bytes: number; sha256: string }> {
    await this.flush();
    await this.writing;
    await this.handle.close();
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  private takeText() {
    if (this.text === '') return;
    this.buffered.push(Buffer.from(this.text, 'utf8'));
    this.text = '';
  }

  /** Starts writing the buffer after the write under way; answers that earlier write (undefined if none). */
  private flush(): Promise<void> | undefined {
    this.takeText();
    if (this.bufferedBytes === 0) return this.writing;
    // Written as they are (writev): images are not copied into one buffer first.
    const chunks = this.buffered;
    this.buffered = [];
    this.bufferedBytes = 0;
    for (const chunk of chunks) {
      this.hash.update(chunk);
      this.bytes += chunk.length;
    }
    const before = this.writing;
    const writing = (before ?? Promise.resolve()).then(() => writeAll(this.handle, chunks));
    writing.catch(() => {}); // seen by whoever awaits it next (a later write or close), never unhandled
    this.writing = writing;
    return before;
  }
}

/**
 * Writes every byte of `chunks`: writev may write less than asked (a file-size limit, a disk nearly
 * full, more buffers than one call takes), and goes on from where it stopped, so the next call reports
 * the error (EFBIG, ENOSPC) rather than leaving a file cut short under a hash of the whole.
 */
async function writeAll(handle: fs.promises.FileHandle, chunks: Buffer[]) {
  let first = 0; // chunks before it are written
  let offset = 0; // bytes of chunks[first] written
  while (first < chunks.length) {
    const rest = [chunks[first].subarray(offset), ...chunks.slice(first + 1)];
    let { bytesWritten } = await handle.writev(rest);
    if (bytesWritten === 0) throw new Error(`${rest.length} buffers could not be written (0 bytes written)`);
    while (first < chunks.length && bytesWritten >= chunks[first].length - offset) {
      bytesWritten -= chunks[first].length - offset;
      first++;
      offset = 0;
    }
    offset += bytesWritten;
  }
}

/** A JSON array written as a stream, one element per line. `opening` ends with the `[`. */
export class JsonArrayWriter {
  private count = 0;

  private constructor(
    private readonly file: HashedFileWriter,
    private readonly indent: string,
  ) {}

  static async open(file: string, opening = '[', indent = '  '): Promise<JsonArrayWriter> {
    const writer = new JsonArrayWriter(await HashedFileWriter.open(file), indent);
    await writer.file.write(opening);
    return writer;
  }

  async append(json: string) {
    await this.file.write((this.count++ === 0 ? '\n' : ',\n') + this.indent + json);
  }

  /** Closes the array, then whatever `closing` adds (the manifest's closing brace). */
  async close(closing = ''): Promise<{ bytes: number; sha256: string }> {
    const outer = this.indent.slice(2);
    await this.file.write((this.count ? `\n${outer}]` : ']') + closing + '\n');
    return this.file.close();
  }
}

export interface FileEntry {
  path: string;
  bytes: number;
  sha256: string;
}

/**
 * The files written so far and the record ids exported, kept in a private temporary
 * SQLite database (on disk, deleted on close) so 1.5M items cost no memory; it also
 * gives the manifest its path order.
 */
export class WrittenFiles {
  private readonly db = new Database(''); // '' = a temporary on-disk database
  private readonly sourceOf;
  private readonly insertFile;
  private readonly hasIdStmt;
  private readonly insertId;
  private readonly totalsStmt;
  private readonly pageStmt;

  /** `onAdd`: told each finished file (an export to object storage uploads it then). */
  constructor(private readonly onAdd?: (target: string) => void) {
    this.db.exec(`
      CREATE TABLE files (path TEXT PRIMARY KEY, source TEXT NOT NULL, bytes INTEGER NOT NULL, sha256 TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE ids (id TEXT PRIMARY KEY) WITHOUT ROWID;`);
    this.sourceOf = this.db.prepare<[string], string>('SELECT source FROM files WHERE path = ?').pluck();
    this.insertFile = this.db.prepare('INSERT INTO files (path, source, bytes, sha256) VALUES (?, ?, ?, ?)');
    this.hasIdStmt = this.db.prepare<[string], number>('SELECT 1 FROM ids WHERE id = ?').pluck();
    this.insertId = this.db.prepare('INSERT INTO ids (id) VALUES (?)');
    this.totalsStmt = this.db.prepare<[], { files: number; bytes: number }>(
      'SELECT count(*) AS files, coalesce(sum(bytes), 0) AS bytes FROM files',
    );
    this.pageStmt = this.db.prepare<[string, number], FileEntry>(
      'SELECT path, bytes, sha256 FROM files WHERE path > ? ORDER BY path LIMIT ?',
    );
  }

  /** The file a path of the export was copied from ('' for a file Loupe wrote), if written. */
  source(target: string): string | undefined {
    return this.sourceOf.get(target);
  }

  add(target: string, source: string, bytes: number, sha256: string) {
    this.insertFile.run(target, source, bytes, sha256);
    this.onAdd?.(target);
  }

  hasId(id: string): boolean {
    return this.hasIdStmt.get(id) !== undefined;
  }

  addId(id: string) {
    this.insertId.run(id);
  }

  totals(): { files: number; bytes: number } {
    return this.totalsStmt.get()!;
  }

  /** Files in path (UTF-8 byte) order after `after`. */
  page(after: string, limit: number): FileEntry[] {
    return this.pageStmt.all(after, limit);
  }

  close() {
    this.db.close();
  }
}

/** An image to copy into the export, at `target` (relative to the export folder). */
export interface ImageCopy extends CheckedFile {
  field: ImageFile['field'];
  target: string;
}

/** Why an image cannot be read: missing, or refused (swapped since it was checked or imported). */
function unreadable(image: { field: string; from: string }, error: unknown): string {
  if (!(error instanceof FileRefused)) throw error;
  if (error.message === NOT_FOUND) return `${image.field} image not found: ${image.from}`;
  return `${image.field} image not exported: ${error.message}: ${image.from}`;
}

/** Copies images into the export, each path once, refusing two different images at one path. */
export class ImageCopier {
  private madeDirs = new Set<string>();

  constructor(
    private readonly out: string,
    private readonly files: WrittenFiles,
  ) {}

  /**
   * Copies an item's images, or returns why the item must be left out. Every image is
   * opened (and checked to be the file that was checked) before anything is copied, so a
   * skipped item leaves no stray image, and the copy reads only from those open files.
   */
  async copy(images: ImageCopy[]): Promise<string | undefined> {
    const toCopy: { image: ImageCopy; handle: CheckedHandle }[] = [];
    try {
      for (const image of images) {
        const earlier = this.files.source(image.target) ?? toCopy.find((c) => c.image.target === image.target)?.image.from;
        if (earlier === image.from) continue; // shared by several records: copied once
        if (earlier !== undefined) return `${image.field} ${image.target}: another image of the export has this path`;
        try {
          toCopy.push({ image, handle: await openCheckedImage(image) });
        } catch (error) {
          return unreadable(image, error);
        }
      }
      for (const { image, handle } of toCopy) await this.copyOne(handle, image.from, image.target);
      return undefined;
    } finally {
      for (const { handle } of toCopy) await handle.close().catch(() => {});
    }
  }

  /** Copies an open image (a real copy: users may edit the export), hashing it on the way. */
  private async copyOne(handle: CheckedHandle, from: string, target: string) {
    const file = exportFile(this.out, target);
    const dir = path.dirname(file);
    if (!this.madeDirs.has(dir)) {
      // A bounded cache: a folder seen again after a reset costs one mkdir.
      if (this.madeDirs.size >= 10_000) this.madeDirs = new Set();
      await fs.promises.mkdir(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    // A stream from the open file: never the path again (it may lead elsewhere by now).
    const hash = crypto.createHash('sha256');
    let bytes = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    await pipeline(handle.createReadStream({ start: 0, autoClose: false }), counted, fs.createWriteStream(file));
    this.files.add(target, from, bytes, hash.digest('hex'));
  }
}

const YIELD_EVERY_MS = 8;
let lastYield = performance.now();

/**
 * An image's bytes for formats that embed them (read from the file that was checked), or why it cannot be read.
 * A local file is read synchronously: for images of a few hundred kB, the thread pool's round trips
 * (open, stat, read, close) cost more than the reads (bench:export, WebDataset).
 */
export async function readImage(image: CheckedFile & { field: string }): Promise<Buffer | { problem: string }> {
  if (!isS3Url(image.from)) {
    const bytes = readLocalImageSync(image);
    // An export started in the browser runs in the server: its synchronous reads give the event loop
    // a turn every few milliseconds, so reviewers' requests never wait behind a run of them.
    if (performance.now() - lastYield > YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
    return bytes;
  }
  let handle: CheckedHandle;
  try {
    handle = await openCheckedImage(image);
  } catch (error) {
    return { problem: unreadable(image, error) };
  }
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

/**
 * openCheckedFile's checks, synchronously: the checked path opened without following a final link,
 * refused unless it is a regular file with the identity (`dev:ino`) seen at the check; then read
 * whole from that descriptor.
 */
function readLocalImageSync(image: CheckedFile & { field: string }): Buffer | { problem: string } {
  if (image.fileId === null) return { problem: unreadable(image, new FileRefused(NOT_FOUND)) };
  let fd: number;
  try {
    fd = fs.openSync(image.from, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' || code === 'ENOTDIR' ? NOT_FOUND : code === 'ELOOP' ? OUTSIDE_ROOT : `cannot open image (${code})`;
    return { problem: unreadable(image, new FileRefused(reason)) };
  }
  try {
    const stats = fs.fstatSync(fd, { bigint: true });
    if (!stats.isFile()) return { problem: unreadable(image, new FileRefused(NOT_REGULAR)) };
    if (fileIdOf(stats) !== image.fileId) return { problem: unreadable(image, new FileRefused(CHANGED)) };
    const data = Buffer.allocUnsafe(Number(stats.size));
    let read = 0;
    while (read < data.length) {
      const n = fs.readSync(fd, data, read, data.length - read, read);
      if (n === 0) break; // shorter than it was a moment ago: what is there
      read += n;
    }
    return read === data.length ? data : data.subarray(0, read);
  } finally {
    fs.closeSync(fd);
  }
}
