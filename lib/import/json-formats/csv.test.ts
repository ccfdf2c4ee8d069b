import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTemp, tempDir } from '@/lib/test/factories';
import { CsvParser, readCsvRows, type CsvEntry } from './csv';

afterEach(cleanupTemp);

async function readAll(content: string | Buffer): Promise<CsvEntry[]> {
  const file = path.join(tempDir('loupe-csv-'), 'a.csv');
  fs.writeFileSync(file, content);
  const entries: CsvEntry[] = [];
  for await (const entry of readCsvRows(file)) entries.push(entry);
  return entries;
}

const rows = (entries: CsvEntry[]) => entries.map((e) => (e.kind === 'row' ? [e.line, ...e.fields] : e));

describe('readCsvRows', () => {
  it('reads quoted commas, line breaks and "" escapes, with the line each row starts on', async () => {
    const text = [
      'id,source,instruction',
      'a,x.png,"Make it red, then blue"',
      'b,y.png,"Two',
      'lines"',
      'c,"z ""quoted"".png",plain',
      '',
      'd,,""',
      '',
    ].join('\n');
    expect(rows(await readAll(text))).toEqual([
      [1, 'id', 'source', 'instruction'],
      [2, 'a', 'x.png', 'Make it red, then blue'],
      [3, 'b', 'y.png', 'Two\nlines'],
      [5, 'c', 'z "quoted".png', 'plain'],
      [7, 'd', '', ''],
    ]);
  });

  it('takes CRLF line ends, a byte-order mark and a last line without a line end', async () => {
    expect(rows(await readAll('\uFEFFa,b\r\n1,"x\r\ny"\r\n2,3'))).toEqual([
      [1, 'a', 'b'],
      [2, '1', 'x\r\ny'],
      [4, '2', '3'],
    ]);
  });

  it('gives the same rows whatever the chunk boundaries', () => {
    const text = 'h1,h2\n"a,""b""\nc",d\ne,"f"\n';
    const whole = new CsvParser();
    const expected = [...whole.push(text), ...whole.end()];
    const split = new CsvParser();
    const pieces = [...text].flatMap((c) => split.push(c));
    expect([...pieces, ...split.end()]).toEqual(expected);
    expect(rows(expected)).toEqual([
      [1, 'h1', 'h2'],
      [2, 'a,"b"\nc', 'd'],
      [4, 'e', 'f'],
    ]);
  });

  it('keeps a quote in the middle of an unquoted field as a character', async () => {
    expect(rows(await readAll('a,b"c,d\n'))).toEqual([[1, 'a', 'b"c', 'd']]);
  });

  it('ends with a bad-file entry, after the rows before it, when a quote is never closed', async () => {
    expect(rows(await readAll('a,b\n1,2\n3,"never closed\n4,5\n'))).toEqual([
      [1, 'a', 'b'],
      [2, '1', '2'],
      { kind: 'bad-file', reason: 'not valid CSV: a quoted field opened on line 3 is never closed' },
    ]);
  });

  it('reads an empty file as no rows', async () => {
    expect(await readAll('')).toEqual([]);
  });
});
