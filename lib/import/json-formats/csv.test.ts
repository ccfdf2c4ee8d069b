import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTemp, tempDir } from '@/lib/test/factories';
import { CsvSplitter, readCsvRows, type CsvEntry } from './csv';

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
  it('reads quoted commas and "" escapes, with the line each row is on', async () => {
    const text = ['id,source,instruction', 'a,x.png,"Make it red, then blue"', 'c,"z ""quoted"".png",plain', '', 'd,,""', 'e,,', ''].join(
      '\n',
    );
    expect(rows(await readAll(text))).toEqual([
      [1, 'id', 'source', 'instruction'],
      [2, 'a', 'x.png', 'Make it red, then blue'],
      [3, 'c', 'z "quoted".png', 'plain'],
      [5, 'd', '', ''],
      [6, 'e', '', ''],
    ]);
  });

  it('takes CRLF line ends, a byte-order mark and a last line without a line end', async () => {
    expect(rows(await readAll('\uFEFFa,b\r\n1,"x, y"\r\n2,3'))).toEqual([
      [1, 'a', 'b'],
      [2, '1', 'x, y'],
      [3, '2', '3'],
    ]);
  });

  it('gives the same rows whatever the chunk boundaries', () => {
    const text = Buffer.from('\uFEFFh1,h2\r\n"a,""b""",d\ne,"f"\n"café 😀",x\n');
    const whole = new CsvSplitter();
    const expected = [...whole.push(text), ...whole.end()];
    const split = new CsvSplitter();
    const pieces = [...text].flatMap((byte) => split.push(Uint8Array.of(byte)));
    expect([...pieces, ...split.end()]).toEqual(expected);
    expect(rows(expected)).toEqual([
      [1, 'h1', 'h2'],
      [2, 'a,"b"', 'd'],
      [3, 'e', 'f'],
      [4, 'café 😀', 'x'],
    ]);
  });

  it('refuses a quote inside an unquoted field, naming its line, and reads on', async () => {
    expect(rows(await readAll('a,b"c,d\n1,2,3\n'))).toEqual([
      { kind: 'bad-row', line: 1, reason: 'a quote inside unquoted column 2 (quote the whole field and double the quote)' },
      [2, '1', '2', '3'],
    ]);
  });

  it('refuses a quoted field that closes on a later line: both lines are named, the next rows are read', async () => {
    expect(rows(await readAll('a,b\n1,"never closed\n4,5"\n6,7\n'))).toEqual([
      [1, 'a', 'b'],
      { kind: 'bad-row', line: 2, reason: 'a quoted field (column 2) is not closed on its line; a quoted field cannot span lines' },
      { kind: 'bad-row', line: 3, reason: 'a quote inside unquoted column 2 (quote the whole field and double the quote)' },
      [4, '6', '7'],
    ]);
  });

  it('refuses text after a closing quote', async () => {
    expect(rows(await readAll('"ab"c,d\n'))).toEqual([{ kind: 'bad-row', line: 1, reason: 'text after the closing quote of column 1' }]);
  });

  it('refuses a line that is not UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('a,b\n1,'), Buffer.from([0xff, 0xfe]), Buffer.from('\n2,3\n')]);
    expect(rows(await readAll(bytes))).toEqual([[1, 'a', 'b'], { kind: 'bad-row', line: 2, reason: 'not valid UTF-8' }, [3, '2', '3']]);
  });

  it('refuses a line over the size limit without keeping it, and reads on', async () => {
    const file = path.join(tempDir('loupe-csv-'), 'long.csv');
    fs.writeFileSync(file, `a,b\n1,${'x'.repeat(5000)}\n2,3\n`);
    const entries: CsvEntry[] = [];
    for await (const entry of readCsvRows(file, undefined, { maxRecordBytes: 1024 })) entries.push(entry);
    expect(rows(entries)).toEqual([
      [1, 'a', 'b'],
      { kind: 'bad-row', line: 2, reason: 'line is 5002 bytes, more than the limit of 1 KiB' },
      [3, '2', '3'],
    ]);
  });

  it('reads an empty file as no rows', async () => {
    expect(await readAll('')).toEqual([]);
  });
});
