/**
 * Property-based tests (fast-check) of the CSV reader: generated rows with quotes, commas
 * and non-ASCII text round-trip through any chunking, and a stray quote costs its own line
 * (reported) but never swallows another row.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvSplitter, parseCsvLine, type CsvEntry } from './csv';

const RUNS = 300;

function read(bytes: Buffer, cuts: number[]): CsvEntry[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const splitter = new CsvSplitter({ maxRecordBytes: 1 << 20 });
  const out: CsvEntry[] = [];
  let from = 0;
  for (const to of [...at, bytes.length]) {
    out.push(...splitter.push(bytes.subarray(from, to)));
    from = to;
  }
  return [...out, ...splitter.end()];
}

// Fields hold anything but a line break (a row is one line): quotes, commas, spaces, multi-byte text.
const field = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ',', '"', 'é', '😀', '\t', ';'), maxLength: 8 });
const row = fc.array(field, { minLength: 1, maxLength: 5 });
const cuts = fc.array(fc.nat(), { maxLength: 10 });

/** RFC 4180 quoting: a field is quoted when it must be (or when `always`), its quotes doubled. */
function encodeField(value: string, always: boolean): string {
  return always || /[",]/.test(value) || value === '' ? `"${value.replace(/"/g, '""')}"` : value;
}
const encodeRow = (fields: string[], quoteAll: boolean) => fields.map((f) => encodeField(f, quoteAll)).join(',');

describe('CSV reader: properties', () => {
  it('reads back generated rows exactly, with their line numbers, whatever the chunking and line ends', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 8 }), fc.boolean(), fc.constantFrom('\n', '\r\n'), cuts, (rows, quoteAll, eol, cutAt) => {
        const text = rows.map((r) => encodeRow(r, quoteAll) + eol).join('');
        const entries = read(Buffer.from(text), cutAt);
        expect(entries).toEqual(rows.map((fields, i) => ({ kind: 'row', line: i + 1, fields })));
      }),
      { numRuns: RUNS },
    );
  });

  it('a stray quote anywhere costs at most its own line: every other row reads back unchanged', () => {
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.nat(),
        fc.constantFrom('insert', 'delete'),
        cuts,
        (rows, which, where, how, cutAt) => {
          const lines = rows.map((r) => encodeRow(r, false));
          const target = which % lines.length;
          const line = lines[target];
          if (how === 'delete' && !line.includes('"')) return;
          if (how === 'insert') {
            const at = where % (line.length + 1);
            lines[target] = line.slice(0, at) + '"' + line.slice(at);
          } else {
            const quotes = line.split('').flatMap((c, i) => (c === '"' ? [i] : []));
            const at = quotes[where % quotes.length];
            lines[target] = line.slice(0, at) + line.slice(at + 1);
          }
          const entries = read(Buffer.from(lines.map((l) => l + '\n').join('')), cutAt);
          // One entry per non-empty line, each on its own line: nothing swallowed, nothing lost.
          const expectedLines = lines.flatMap((l, i) => (l === '' ? [] : [i + 1]));
          expect(entries.map((e) => (e as { line: number }).line)).toEqual(expectedLines);
          for (const entry of entries) {
            const i = (entry as { line: number }).line - 1;
            if (i !== target) expect(entry).toEqual({ kind: 'row', line: i + 1, fields: rows[i] });
            else if (entry.kind === 'row')
              expect(parseCsvLine(lines[i])).toEqual(entry.fields); // still valid CSV, read as written
            else expect(entry).toMatchObject({ kind: 'bad-row', reason: expect.stringMatching(/quote/) });
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('never throws on arbitrary bytes, and gives the same entries for any chunking', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), cuts, (bytes, cutAt) => {
        const buffer = Buffer.from(bytes);
        expect(read(buffer, cutAt)).toEqual(read(buffer, []));
      }),
      { numRuns: RUNS },
    );
  });
});
