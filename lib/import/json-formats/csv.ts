import fs from 'node:fs';
import { formatBytes, importLimits, type ImportLimits } from '../limits';

export type CsvEntry =
  | { kind: 'row'; /** 1-based line */ line: number; fields: string[] }
  /** A line that is not a CSV row; reading goes on with the next line. */
  | { kind: 'bad-row'; line: number; reason: string }
  | { kind: 'bad-file'; reason: string };

/**
 * Streams the rows of a CSV file, with memory bounded by one chunk plus one line. Each row
 * is one line (LF or CRLF): comma separated, a field in double quotes may hold commas and
 * "" for a quote. A line break inside quotes is not allowed: in this data a quote that
 * closes on a later line is a stray quote that would swallow the next rows into one field.
 * So a quote opened and not closed on its line, a quote inside an unquoted field, text
 * after a closing quote, a line that is not UTF-8 and a line over the record size limit
 * each make that line a `bad-row`, and the next line is read as usual. Empty lines are skipped.
 */
export async function* readCsvRows(
  file: string,
  progress?: { bytesRead: number },
  limits: Pick<ImportLimits, 'maxRecordBytes'> = importLimits(),
): AsyncGenerator<CsvEntry> {
  const splitter = new CsvSplitter(limits);
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      if (progress) progress.bytesRead += chunk.length;
      yield* splitter.push(chunk);
    }
  } catch (error) {
    yield { kind: 'bad-file', reason: `cannot read: ${(error as Error).message}` };
    return;
  }
  yield* splitter.end();
}

const NEWLINE = 10,
  RETURN = 13;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Bytes in, rows out, for any chunking of the file. */
export class CsvSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private line = 1;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  constructor(private readonly limits: Pick<ImportLimits, 'maxRecordBytes'> = importLimits()) {}

  push(chunk: Uint8Array): CsvEntry[] {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const out: CsvEntry[] = [];
    let i = 0;
    while (i < buf.length) {
      const newline = buf.indexOf(NEWLINE, i);
      const to = newline < 0 ? buf.length : newline;
      this.append(buf, i, to);
      if (newline < 0) break;
      this.finishLine(out);
      i = newline + 1;
    }
    return out;
  }

  end(): CsvEntry[] {
    const out: CsvEntry[] = [];
    this.finishLine(out);
    return out;
  }

  private append(buf: Buffer, from: number, to: number) {
    if (to <= from) return;
    this.size += to - from;
    if (this.size <= this.limits.maxRecordBytes) this.parts.push(buf.subarray(from, to));
    else this.parts = []; // counted, not kept
  }

  private finishLine(out: CsvEntry[]) {
    const line = this.line++;
    const { size, parts } = this;
    this.parts = [];
    this.size = 0;
    if (size > this.limits.maxRecordBytes) {
      out.push({
        kind: 'bad-row',
        line,
        reason: `line is ${formatBytes(size)}, more than the limit of ${formatBytes(this.limits.maxRecordBytes)}`,
      });
      return;
    }
    let bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    if (line === 1 && bytes.subarray(0, BOM.length).equals(BOM)) bytes = bytes.subarray(BOM.length); // not content
    if (bytes.length && bytes[bytes.length - 1] === RETURN) bytes = bytes.subarray(0, -1); // CRLF
    if (bytes.length === 0) return; // an empty line
    let text: string;
    try {
      text = this.utf8.decode(bytes);
    } catch {
      out.push({ kind: 'bad-row', line, reason: 'not valid UTF-8' });
      return;
    }
    const row = parseCsvLine(text);
    out.push(typeof row === 'string' ? { kind: 'bad-row', line, reason: row } : { kind: 'row', line, fields: row });
  }
}

/** The fields of one CSV line, or why it is not a row (a quote out of place). */
export function parseCsvLine(text: string): string[] | string {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    const column = fields.length + 1;
    let field: string;
    if (text[i] === '"') {
      field = '';
      let from = i + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote < 0) return `a quoted field (column ${column}) is not closed on its line; a quoted field cannot span lines`;
        field += text.slice(from, quote);
        if (text[quote + 1] === '"') {
          field += '"'; // "" is a quote
          from = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      if (i < text.length && text[i] !== ',') return `text after the closing quote of column ${column}`;
    } else {
      const comma = text.indexOf(',', i);
      const end = comma < 0 ? text.length : comma;
      field = text.slice(i, end);
      if (field.includes('"')) return `a quote inside unquoted column ${column} (quote the whole field and double the quote)`;
      i = end;
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++; // the comma
  }
}
