import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export type CsvEntry =
  | { kind: 'row'; /** 1-based line the row starts on */ line: number; fields: string[] }
  | { kind: 'bad-file'; reason: string };

// A quote left open swallows the rest of the file into one field: stop there rather than
// hold a whole large file in memory.
const MAX_ROW_CHARS = 16 * 1024 * 1024;

/**
 * Streams the rows of a CSV file (RFC 4180: comma separated, fields in double quotes may
 * hold commas, line breaks and "" for a quote; LF or CRLF line ends), with memory bounded
 * by one chunk plus one row. Blank lines are skipped. A file whose quoting breaks ends
 * with one `bad-file` entry after the rows read before the break.
 */
export async function* readCsvRows(file: string, progress?: { bytesRead: number }): AsyncGenerator<CsvEntry> {
  const decoder = new StringDecoder('utf8'); // keeps multi-byte characters split across chunks whole
  const parser = new CsvParser();
  let started = false;
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      if (progress) progress.bytesRead += chunk.length;
      let text = decoder.write(chunk);
      if (!started && text) {
        text = text.replace(/^\uFEFF/, ''); // a UTF-8 byte-order mark is not content
        started = true;
      }
      yield* parser.push(text);
      if (parser.error) break;
    }
    if (!parser.error) {
      yield* parser.push(decoder.end());
      yield* parser.end();
    }
  } catch (error) {
    yield { kind: 'bad-file', reason: `cannot read: ${(error as Error).message}` };
    return;
  }
  if (parser.error) yield { kind: 'bad-file', reason: `not valid CSV: ${parser.error}` };
}

/** An incremental CSV tokenizer: text in, finished rows out. */
export class CsvParser {
  error?: string;
  private row: string[] = [];
  private field = '';
  private quoted = false; // inside a quoted field
  private quoteSeen = false; // a quote inside a quoted field: "" (an escaped quote) or its end
  private fieldTouched = false; // the current field has a character or a quote: a later quote is literal
  private rowTouched = false; // the row has anything at all, even a comma: it is not a blank line
  private line = 1;
  private rowLine = 1;
  private rowChars = 0;

  push(text: string): CsvEntry[] {
    const out: CsvEntry[] = [];
    let i = 0;
    while (i < text.length && !this.error) {
      if (this.quoted) {
        if (this.quoteSeen) {
          this.quoteSeen = false;
          if (text[i] === '"') {
            this.append('"');
            i++;
          } else {
            this.quoted = false; // that quote closed the field; this character is read unquoted
          }
          continue;
        }
        const quote = text.indexOf('"', i);
        const end = quote < 0 ? text.length : quote;
        const part = text.slice(i, end);
        this.append(part);
        this.line += countNewlines(part);
        if (quote >= 0) this.quoteSeen = true;
        i = end + 1;
        continue;
      }
      const c = text[i];
      if (c === ',') {
        this.endField();
        this.rowTouched = true;
        i++;
      } else if (c === '\n') {
        this.endRow(out);
        this.line++;
        this.rowLine = this.line;
        i++;
      } else if (c === '\r') {
        i++; // part of a CRLF line end: the \n ends the row
      } else if (c === '"' && !this.fieldTouched) {
        this.quoted = true;
        this.fieldTouched = this.rowTouched = true;
        i++;
      } else {
        // A run of plain characters, copied in one slice. A quote in the middle of an
        // unquoted field (ab"c) is kept as a character, as most readers do.
        let end = i + 1;
        while (end < text.length && !',\n\r'.includes(text[end])) end++;
        this.append(text.slice(i, end));
        this.fieldTouched = this.rowTouched = true;
        i = end;
      }
    }
    return out;
  }

  end(): CsvEntry[] {
    if (this.error) return [];
    if (this.quoted && !this.quoteSeen) {
      this.error = `a quoted field opened on line ${this.rowLine} is never closed`;
      return [];
    }
    this.quoted = this.quoteSeen = false;
    const out: CsvEntry[] = [];
    this.endRow(out);
    return out;
  }

  private append(text: string) {
    this.field += text;
    this.rowChars += text.length;
    if (this.rowChars > MAX_ROW_CHARS) {
      this.error = `the row starting on line ${this.rowLine} is longer than 16 MB (a quote never closed?)`;
    }
  }

  private endField() {
    this.row.push(this.field);
    this.field = '';
    this.fieldTouched = false;
  }

  private endRow(out: CsvEntry[]) {
    if (this.rowTouched) {
      this.endField();
      out.push({ kind: 'row', line: this.rowLine, fields: this.row });
    }
    this.row = [];
    this.field = '';
    this.fieldTouched = this.rowTouched = false;
    this.rowChars = 0;
  }
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
