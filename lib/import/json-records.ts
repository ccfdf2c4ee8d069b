import fs from 'node:fs';
import { formatBytes, importLimits, type ImportLimits } from './limits';

/** A record, or why it was refused; `start` and `end` are its byte offsets in the file. */
export type RecordEntry =
  | { kind: 'record'; index: number; value: unknown; text: string; start: number; end: number }
  | { kind: 'bad-record'; index: number; reason: string; start: number; end: number }
  /** The file cannot be read on from byte `start`: nothing after it is a record. */
  | { kind: 'bad-file'; reason: string; start: number };

export interface ReadProgress {
  bytesRead: number;
}

export type RecordLimits = Pick<ImportLimits, 'maxRecordBytes' | 'maxDepth'>;

/**
 * Streams the records of a metadata file holding either a JSON array of objects or
 * JSON Lines, with memory bounded by one chunk plus one record (at most
 * `limits.maxRecordBytes`) rather than the file.
 *
 * A record that does not parse, is not UTF-8, is too large or nests too deep is reported on
 * its own and reading goes on; a file whose structure breaks ends with one `bad-file` entry
 * after the records read before the break.
 */
export async function* readJsonRecords(
  file: string,
  progress?: ReadProgress,
  limits: RecordLimits = importLimits(),
): AsyncGenerator<RecordEntry> {
  const splitter = new JsonRecordSplitter(limits);
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      if (progress) progress.bytesRead += chunk.length;
      yield* splitter.push(chunk);
      if (splitter.done) return;
    }
  } catch (error) {
    yield { kind: 'bad-file', reason: `cannot read: ${(error as Error).message}`, start: splitter.received };
    return;
  }
  yield* splitter.end();
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const OPEN_BRACE = 123,
  CLOSE_BRACE = 125,
  OPEN_BRACKET = 91,
  CLOSE_BRACKET = 93;
const QUOTE = 34,
  BACKSLASH = 92,
  COMMA = 44,
  NEWLINE = 10,
  RETURN = 13;
const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/**
 * Bytes in, records out, for any chunking of the file. Works on bytes, not text: the JSON
 * structure is ASCII, which never occurs inside a multi-byte UTF-8 character, so each
 * record's own bytes can be checked as UTF-8 (a byte that is not UTF-8 names its record
 * instead of turning silently into U+FFFD).
 */
export class JsonRecordSplitter {
  /** Bytes pushed so far. */
  received = 0;
  /** The structure broke (a bad-file entry was given): later chunks are ignored. */
  done = false;
  private splitter?: ArraySplitter | LineSplitter;
  private pending?: Buffer; // the first bytes of the file while they may still be a byte-order mark
  private bomChecked = false;
  private index = 0;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  constructor(private readonly limits: RecordLimits = importLimits()) {}

  push(chunk: Uint8Array): RecordEntry[] {
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let at = this.received;
    this.received += buf.length;
    if (this.done) return [];
    if (!this.splitter) {
      if (this.pending) {
        at -= this.pending.length;
        buf = Buffer.concat([this.pending, buf]);
        this.pending = undefined;
      }
      if (!this.bomChecked) {
        if (buf.length < BOM.length && BOM.subarray(0, buf.length).equals(buf)) {
          this.pending = buf;
          return [];
        }
        this.bomChecked = true;
        if (buf.subarray(0, BOM.length).equals(BOM)) {
          buf = buf.subarray(BOM.length); // a UTF-8 byte-order mark is not content
          at += BOM.length;
        }
      }
      let first = 0;
      while (first < buf.length && isSpace(buf[first])) first++;
      if (first === buf.length) return []; // only whitespace so far
      buf = buf.subarray(first);
      at += first;
      if (buf[0] === OPEN_BRACKET) this.splitter = new ArraySplitter(this.limits);
      else if (buf[0] === OPEN_BRACE) this.splitter = new LineSplitter(this.limits);
      else return this.broken('not valid JSON: expected a JSON array or JSON Lines', at);
    }
    return this.entries(this.splitter.push(buf, at));
  }

  end(): RecordEntry[] {
    if (this.done) return [];
    if (!this.splitter) {
      if (this.pending) return this.broken('not valid JSON: expected a JSON array or JSON Lines', 0);
      return this.broken('empty file: expected a JSON array or JSON Lines', this.received);
    }
    return this.entries(this.splitter.end(this.received));
  }

  private broken(reason: string, start: number): RecordEntry[] {
    this.done = true;
    return [{ kind: 'bad-file', reason, start }];
  }

  private entries(pieces: Piece[]): RecordEntry[] {
    const out: RecordEntry[] = [];
    for (const piece of pieces) {
      if (piece.kind === 'broken') {
        out.push(...this.broken(`not valid JSON: ${piece.reason}`, piece.start));
        break;
      }
      const { start, end } = piece;
      const index = this.index++;
      if (piece.kind === 'refused') {
        out.push({ kind: 'bad-record', index, reason: piece.reason, start, end });
        continue;
      }
      let text: string;
      try {
        text = this.utf8.decode(piece.bytes);
      } catch {
        out.push({
          kind: 'bad-record',
          index,
          reason: `not valid UTF-8 (byte ${invalidUtf8At(piece.bytes, start)} of the file is not UTF-8 text)`,
          start,
          end,
        });
        continue;
      }
      try {
        out.push({ kind: 'record', index, value: JSON.parse(text), text, start, end });
      } catch (error) {
        out.push({ kind: 'bad-record', index, reason: `not valid JSON: ${(error as Error).message}`, start, end });
      }
    }
    return out;
  }
}

/** The file offset of the first byte that makes `bytes` invalid UTF-8 (the failure path only). */
function invalidUtf8At(bytes: Buffer, start: number): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let good = 0;
  for (let end = 1; end <= bytes.length; end++) {
    try {
      decoder.decode(bytes.subarray(good, end), { stream: true });
      good = end;
    } catch {
      return start + good;
    }
  }
  return start + good;
}

/** What a splitter makes of the bytes: a record's bytes, a record refused unread, or a break. */
type Piece =
  | { kind: 'record'; bytes: Buffer; start: number; end: number }
  | { kind: 'refused'; reason: string; start: number; end: number }
  | { kind: 'broken'; reason: string; start: number };

/**
 * Tracks strings and nesting depth across chunks. Strings (most of a record's bytes) are
 * skipped with the native indexOf rather than byte by byte.
 */
class JsonScanner {
  depth = 0;
  maxDepth = 0;
  private inString = false;
  private escaped = false;

  reset() {
    this.depth = this.maxDepth = 0;
    this.inString = this.escaped = false;
  }

  /**
   * Scans buf[from, to); with `stopAtClose`, returns the index of the byte closing the
   * outermost object or array, else -1.
   */
  scan(buf: Buffer, from: number, to: number, stopAtClose: boolean): number {
    let i = from;
    while (i < to) {
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          i++;
          continue;
        }
        const quote = buf.indexOf(QUOTE, i);
        const stop = quote < 0 || quote >= to ? to : quote;
        let slashes = 0; // backslashes just before `stop`: an odd run escapes it
        while (stop - slashes - 1 >= i && buf[stop - slashes - 1] === BACKSLASH) slashes++;
        if (stop === to) {
          this.escaped = slashes % 2 === 1;
          return -1;
        }
        if (slashes % 2 === 0) this.inString = false;
        i = stop + 1;
        continue;
      }
      const c = buf[i];
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (++this.depth > this.maxDepth) this.maxDepth = this.depth;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--this.depth === 0 && stopAtClose) return i;
      }
      i++;
    }
    return -1;
  }
}

/**
 * One record's bytes as they arrive. Past the size limit the bytes are counted, not kept,
 * so a 200 MB record costs no more memory than a 1 MB one.
 */
class RecordBytes {
  /** Where the record starts in the file. */
  start = 0;
  private parts: Buffer[] = [];
  private size = 0;
  private lastByte = -1;

  constructor(private readonly limits: RecordLimits) {}

  begin(start: number) {
    this.parts = [];
    this.size = 0;
    this.lastByte = -1;
    this.start = start;
  }

  append(buf: Buffer, from: number, to: number) {
    if (to <= from) return;
    this.size += to - from;
    this.lastByte = buf[to - 1];
    if (this.size <= this.limits.maxRecordBytes) this.parts.push(buf.subarray(from, to));
    else this.parts = [];
  }

  /** Drops a final byte (a CRLF's CR), which may have arrived in an earlier chunk than its LF. */
  dropLast(byte: number) {
    if (this.lastByte !== byte) return;
    this.lastByte = -1;
    this.size--;
    const last = this.parts.at(-1);
    if (!last) return;
    if (last.length === 1) this.parts.pop();
    else this.parts[this.parts.length - 1] = last.subarray(0, last.length - 1);
  }

  /** The record's bytes, or why it is refused: too large or too deep. */
  finish(end: number, depth: number): Piece {
    const { start, size, limits } = this;
    const reasons: string[] = [];
    if (size > limits.maxRecordBytes)
      reasons.push(`record is ${formatBytes(size)}, more than the limit of ${formatBytes(limits.maxRecordBytes)}`);
    if (depth > limits.maxDepth) reasons.push(`record nests ${depth} levels deep, more than the limit of ${limits.maxDepth}`);
    const bytes = reasons.length ? undefined : this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    this.parts = [];
    // Not copied: a slice of the read chunk, decoded to text before push() returns (entries), so
    // it never keeps the 1 MiB chunk alive.
    if (bytes) return { kind: 'record', bytes, start, end };
    return { kind: 'refused', reason: reasons.join('; '), start, end };
  }
}

class LineSplitter {
  private readonly scanner = new JsonScanner();
  private readonly line: RecordBytes;
  private inLine = false;
  private blank = true; // the current line is whitespace so far

  constructor(limits: RecordLimits) {
    this.line = new RecordBytes(limits);
  }

  push(buf: Buffer, at: number): Piece[] {
    const out: Piece[] = [];
    let i = 0;
    while (i < buf.length) {
      const newline = buf.indexOf(NEWLINE, i);
      const to = newline < 0 ? buf.length : newline;
      if (!this.inLine) {
        this.inLine = true;
        this.blank = true;
        this.line.begin(at + i);
        this.scanner.reset();
      }
      if (this.blank) for (let j = i; j < to && this.blank; j++) if (!isSpace(buf[j])) this.blank = false;
      this.scanner.scan(buf, i, to, false);
      this.line.append(buf, i, to);
      if (newline < 0) break;
      this.line.dropLast(RETURN); // a CRLF line end is not part of the record
      this.finishLine(at + to, out);
      i = newline + 1;
    }
    return out;
  }

  end(at: number): Piece[] {
    const out: Piece[] = [];
    if (this.inLine) this.finishLine(at, out);
    return out;
  }

  private finishLine(end: number, out: Piece[]) {
    this.inLine = false;
    const piece = this.line.finish(end, this.scanner.maxDepth);
    if (!this.blank) out.push(piece);
  }
}

/**
 * Splits a JSON array of objects into the source bytes of each element, so each one goes
 * to the native JSON.parse: several times faster than token-level streaming parsers,
 * which matters at 300k records per file. It tracks only strings and nesting depth.
 */
class ArraySplitter {
  // open: before '['; first: after '[' (a record or ']'); element: after ',' (a record).
  private state: 'open' | 'first' | 'element' | 'in-record' | 'separator' | 'closed' | 'broken' = 'open';
  private readonly scanner = new JsonScanner();
  private readonly record: RecordBytes;

  constructor(limits: RecordLimits) {
    this.record = new RecordBytes(limits);
  }

  push(buf: Buffer, at: number): Piece[] {
    const out: Piece[] = [];
    let i = 0;
    while (i < buf.length && this.state !== 'broken') {
      if (this.state === 'in-record') {
        const close = this.scanner.scan(buf, i, buf.length, true);
        const to = close < 0 ? buf.length : close + 1;
        this.record.append(buf, i, to);
        i = to;
        if (close >= 0) {
          out.push(this.record.finish(at + to, this.scanner.maxDepth));
          this.state = 'separator';
        }
        continue;
      }
      const c = buf[i];
      if (isSpace(c)) {
        i++;
        continue;
      }
      if (this.state === 'open') {
        if (c !== OPEN_BRACKET) return this.break(out, 'expected [', at + i);
        this.state = 'first';
      } else if ((this.state === 'first' || this.state === 'element') && c === OPEN_BRACE) {
        this.state = 'in-record';
        this.scanner.reset();
        this.record.begin(at + i);
        continue; // the scan reads the { itself
      } else if (this.state === 'first' && c === CLOSE_BRACKET) {
        this.state = 'closed'; // empty array
      } else if (this.state === 'separator' && c === COMMA) {
        this.state = 'element';
      } else if (this.state === 'separator' && c === CLOSE_BRACKET) {
        this.state = 'closed';
      } else if (this.state === 'closed') {
        return this.break(out, 'unexpected text after the closing ]', at + i);
      } else {
        const where = this.state === 'separator' ? 'expected , or ]' : 'expected a record object';
        return this.break(out, `${where}, found ${JSON.stringify(String.fromCharCode(c))}`, at + i);
      }
      i++;
    }
    return out;
  }

  end(at: number): Piece[] {
    if (this.state === 'closed' || this.state === 'broken') return [];
    const start = this.state === 'in-record' ? this.record.start : at;
    return this.break([], 'the array is not closed (truncated file?)', start);
  }

  private break(out: Piece[], reason: string, start: number): Piece[] {
    this.state = 'broken';
    out.push({ kind: 'broken', reason, start });
    return out;
  }
}
