import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export type RecordEntry =
  | { kind: 'record'; index: number; value: unknown; text: string }
  | { kind: 'bad-record'; index: number; reason: string }
  | { kind: 'bad-file'; reason: string };

export interface ReadProgress {
  bytesRead: number;
}

/**
 * Streams the records of a metadata file holding either a JSON array of objects or
 * JSON Lines, with memory bounded by one chunk plus one record rather than the file.
 *
 * A record that does not parse is reported on its own and reading goes on; a file whose
 * structure breaks ends with one `bad-file` entry after the records read before the break.
 */
export async function* readJsonRecords(file: string, progress?: ReadProgress): AsyncGenerator<RecordEntry> {
  const decoder = new StringDecoder('utf8'); // keeps multi-byte characters split across chunks whole
  let splitter: ArraySplitter | LineSplitter | undefined;
  let head = '';
  let index = 0;
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      if (progress) progress.bytesRead += chunk.length;
      let text = decoder.write(chunk);
      if (!splitter) {
        head = (head + text).replace(/^\uFEFF/, ''); // a UTF-8 byte-order mark is not content
        const first = head.search(/\S/);
        if (first < 0) continue;
        if (head[first] === '[') splitter = new ArraySplitter();
        else if (head[first] === '{') splitter = new LineSplitter();
        else {
          yield { kind: 'bad-file', reason: 'not valid JSON: expected a JSON array or JSON Lines' };
          return;
        }
        text = head;
        head = '';
      }
      for (const record of splitter.push(text)) yield parseRecord(record, index++);
    }
    if (!splitter) {
      yield { kind: 'bad-file', reason: 'empty file: expected a JSON array or JSON Lines' };
      return;
    }
    for (const record of splitter.end()) yield parseRecord(record, index++);
  } catch (error) {
    if (!(error instanceof SplitError)) {
      yield { kind: 'bad-file', reason: `cannot read: ${(error as Error).message}` };
      return;
    }
    for (const record of error.records) yield parseRecord(record, index++);
    yield { kind: 'bad-file', reason: `not valid JSON: ${error.message}` };
  }
}

function parseRecord(text: string, index: number): RecordEntry {
  try {
    return { kind: 'record', index, value: JSON.parse(text), text };
  } catch (error) {
    return { kind: 'bad-record', index, reason: `not valid JSON: ${(error as Error).message}` };
  }
}

/** The array's structure broke; `records` were finished in the same chunk before the break. */
class SplitError extends Error {
  constructor(
    message: string,
    readonly records: string[] = [],
  ) {
    super(message);
  }
}

class LineSplitter {
  private rest = '';

  push(text: string): string[] {
    const lines = (this.rest + text).split('\n');
    this.rest = lines.pop()!;
    return lines.filter((line) => line.trim() !== '');
  }

  end(): string[] {
    return this.rest.trim() ? [this.rest] : [];
  }
}

const OPEN_BRACE = 123, CLOSE_BRACE = 125, OPEN_BRACKET = 91, CLOSE_BRACKET = 93;
const QUOTE = 34, BACKSLASH = 92, COMMA = 44;

/**
 * Splits a JSON array of objects into the source text of each element, so each one goes
 * to the native JSON.parse: several times faster than token-level streaming parsers,
 * which matters at 300k records per file. It tracks only strings and nesting depth.
 */
class ArraySplitter {
  // open: before '['; first: after '[' (a record or ']'); element: after ',' (a record).
  private state: 'open' | 'first' | 'element' | 'in-record' | 'separator' | 'closed' = 'open';
  private record = ''; // the unfinished record's text from earlier chunks
  private depth = 0;
  private inString = false;
  private escaped = false;

  push(text: string): string[] {
    const out: string[] = [];
    let start = 0; // where the current record starts in this chunk
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.state === 'in-record') {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === BACKSLASH) this.escaped = true;
          else if (c === QUOTE) this.inString = false;
        } else if (c === QUOTE) this.inString = true;
        else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
        else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
          if (--this.depth === 0) {
            out.push(this.record + text.slice(start, i + 1));
            this.record = '';
            this.state = 'separator';
          }
        }
        continue;
      }
      if (c === 32 || c === 10 || c === 13 || c === 9) continue;
      if (this.state === 'open') {
        if (c !== OPEN_BRACKET) throw new SplitError('expected [', out);
        this.state = 'first';
      } else if ((this.state === 'first' || this.state === 'element') && c === OPEN_BRACE) {
        this.state = 'in-record';
        this.depth = 1;
        start = i;
      } else if (this.state === 'first' && c === CLOSE_BRACKET) {
        this.state = 'closed'; // empty array
      } else if (this.state === 'separator' && c === COMMA) {
        this.state = 'element';
      } else if (this.state === 'separator' && c === CLOSE_BRACKET) {
        this.state = 'closed';
      } else if (this.state === 'closed') {
        throw new SplitError('unexpected text after the closing ]', out);
      } else {
        const where = this.state === 'separator' ? 'expected , or ]' : 'expected a record object';
        throw new SplitError(`${where}, found ${JSON.stringify(text[i])}`, out);
      }
    }
    if (this.state === 'in-record') this.record += text.slice(start);
    return out;
  }

  end(): string[] {
    if (this.state !== 'closed') throw new SplitError('the array is not closed (truncated file?)');
    return [];
  }
}
