import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTemp, tempDir } from '@/lib/test/factories';
import { readJsonRecords, type RecordEntry, type RecordLimits } from './json-records';

afterEach(cleanupTemp);

function writeFile(name: string, content: string | Buffer): string {
  const file = path.join(tempDir('loupe-json-'), name);
  fs.writeFileSync(file, content);
  return file;
}

/** The entries without their byte offsets (tested on their own below). */
async function readAll(file: string, progress?: { bytesRead: number }, limits?: RecordLimits): Promise<RecordEntry[]> {
  const entries: RecordEntry[] = [];
  for await (const entry of readJsonRecords(file, progress, limits)) entries.push(withoutOffsets(entry));
  return entries;
}

function withoutOffsets(entry: RecordEntry): RecordEntry {
  const { start: _start, end: _end, ...rest } = entry as RecordEntry & { end?: number };
  return rest as RecordEntry;
}

const values = (entries: RecordEntry[]) => entries.map((e) => (e.kind === 'record' ? e.value : e));

describe('readJsonRecords: JSON array', () => {
  it('reads every record of an array with its index, value and exact source text', async () => {
    const file = writeFile('a.json', '[\n  {"id": 1, "s": "a"},\n  {"id": 2, "nested": {"list": [1, {"x": "]}"}]}}\n]\n');
    const entries = await readAll(file);
    expect(entries).toEqual([
      { kind: 'record', index: 0, value: { id: 1, s: 'a' }, text: '{"id": 1, "s": "a"}' },
      {
        kind: 'record',
        index: 1,
        value: { id: 2, nested: { list: [1, { x: ']}' }] } },
        text: '{"id": 2, "nested": {"list": [1, {"x": "]}"}]}}',
      },
    ]);
  });

  it('reads an empty array as no records and no problem', async () => {
    expect(await readAll(writeFile('empty-array.json', '[]'))).toEqual([]);
    expect(await readAll(writeFile('empty-array-ws.json', ' \n[ \n ]\n'))).toEqual([]);
  });

  it('reports a record that does not parse by its index and reads the others', async () => {
    const file = writeFile('bad-record.json', '[{"id": 0}, {"id": 1, oops}, {"id": 2}]');
    const entries = await readAll(file);
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({ kind: 'record', index: 0, value: { id: 0 } });
    expect(entries[1]).toMatchObject({ kind: 'bad-record', index: 1, reason: expect.stringMatching(/^not valid JSON/) });
    expect(entries[2]).toMatchObject({ kind: 'record', index: 2, value: { id: 2 } });
  });

  it('yields the records of a truncated array, then one bad-file entry', async () => {
    const file = writeFile('truncated.json', '[{"id": 0}, {"id": 1}, {"id": 2, "instruction": "Make it');
    const entries = await readAll(file);
    expect(values(entries)).toEqual([
      { id: 0 },
      { id: 1 },
      { kind: 'bad-file', reason: 'not valid JSON: the array is not closed (truncated file?)' },
    ]);
  });

  it('accepts whitespace after the closing ]', async () => {
    expect(values(await readAll(writeFile('ws.json', '[{"id": 0}]\n\n  \t\n')))).toEqual([{ id: 0 }]);
  });

  it('reports text after the closing ] as a bad file', async () => {
    const entries = await readAll(writeFile('after.json', '[{"id": 0}, {"id": 1}]\nextra'));
    expect(entries.at(-1)).toEqual({ kind: 'bad-file', reason: 'not valid JSON: unexpected text after the closing ]' });
    expect(entries.filter((e) => e.kind === 'bad-file')).toHaveLength(1);
  });

  // The records finished before a structural break in the same chunk are still yielded.
  it('still yields the records before text after the closing ] (same chunk)', async () => {
    const entries = await readAll(writeFile('after.json', '[{"id": 0}, {"id": 1}]\nextra'));
    expect(values(entries)).toEqual([
      { id: 0 },
      { id: 1 },
      { kind: 'bad-file', reason: 'not valid JSON: unexpected text after the closing ]' },
    ]);
  });

  it('still yields the records before a missing comma (same chunk)', async () => {
    const entries = await readAll(writeFile('no-comma.json', '[{"id": 0}, {"id": 1} {"id": 2}]'));
    expect(values(entries)).toEqual([{ id: 0 }, { id: 1 }, { kind: 'bad-file', reason: 'not valid JSON: expected , or ], found "{"' }]);
  });

  it('accepts a UTF-8 byte-order mark before the array', async () => {
    const entries = await readAll(writeFile('bom.json', '\uFEFF[{"id": 0}]'));
    expect(values(entries)).toEqual([{ id: 0 }]);
  });

  it('reports an array of non-objects as a bad file', async () => {
    const entries = await readAll(writeFile('numbers.json', '[1, 2, 3]'));
    expect(entries).toEqual([{ kind: 'bad-file', reason: 'not valid JSON: expected a record object, found "1"' }]);
  });
});

describe('readJsonRecords: JSON Lines', () => {
  it('reads one record per line, skipping blank lines, with or without a final newline', async () => {
    const file = writeFile('a.jsonl', '{"id": 0, "s": "}]"}\n\n   \n{"id": 1}\r\n{"id": 2}');
    const entries = await readAll(file);
    expect(entries.map((e) => e.kind === 'record' && e.index)).toEqual([0, 1, 2]);
    expect(values(entries)).toEqual([{ id: 0, s: '}]' }, { id: 1 }, { id: 2 }]);
    expect(entries[0]).toMatchObject({ text: '{"id": 0, "s": "}]"}' });
  });

  it('reports a bad line by its index and reads the rest', async () => {
    const file = writeFile('bad-line.jsonl', '{"id": 0}\n{"id": 1, "instruction": "cut off\n{"id": 2}\nnot json\n{"id": 4}\n');
    const entries = await readAll(file);
    expect(entries.map((e) => [e.kind, 'index' in e ? e.index : undefined])).toEqual([
      ['record', 0],
      ['bad-record', 1],
      ['record', 2],
      ['bad-record', 3],
      ['record', 4],
    ]);
    expect(entries[1]).toMatchObject({ reason: expect.stringMatching(/^not valid JSON/) });
    expect(values(entries).filter((v) => !('kind' in (v as object)))).toEqual([{ id: 0 }, { id: 2 }, { id: 4 }]);
  });
});

describe('readJsonRecords: files that are not metadata', () => {
  it('reports a non-JSON file as one bad-file entry', async () => {
    expect(await readAll(writeFile('notes.json', 'hello, this is not JSON\n{"id": 1}\n'))).toEqual([
      { kind: 'bad-file', reason: 'not valid JSON: expected a JSON array or JSON Lines' },
    ]);
  });

  it('reports an empty or blank file as one bad-file entry', async () => {
    const expected = [{ kind: 'bad-file', reason: 'empty file: expected a JSON array or JSON Lines' }];
    expect(await readAll(writeFile('empty.json', ''))).toEqual(expected);
    expect(await readAll(writeFile('blank.json', ' \n\t\n'))).toEqual(expected);
  });

  it('reports a file that cannot be read', async () => {
    const entries = await readAll(path.join(tempDir(), 'missing.json'));
    expect(entries).toEqual([{ kind: 'bad-file', reason: expect.stringMatching(/^cannot read: .*ENOENT/) }]);
  });
});

// --- Large files: records and tricky characters straddling the 1 MiB read chunks ---

const CHUNK = 1 << 20; // readJsonRecords reads with highWaterMark 1 MiB
const RECORDS = 20_000;

/**
 * String values placed so that the read-chunk boundary falls inside their JSON text:
 * `splitAt` is the byte offset, within JSON.stringify(value), of the first byte of the next chunk.
 */
const STRADDLERS = [
  { what: 'a 4-byte emoji', value: 'smile 😀 }] ok', splitAt: 9 }, // "smile + 2 of the emoji's 4 bytes
  { what: 'an escaped backslash before the closing quote', value: 'ends with \\', splitAt: 12 }, // chunk ends with the escaping \ of \\
  { what: 'an escaped quote', value: 'say "}]" now', splitAt: 6 }, // chunk ends with "\" of \"
  { what: 'a 2-byte accent', value: 'café crème }', splitAt: 5 }, // chunk ends in the middle of é
  { what: 'a } inside a string', value: '{"nested": [1]} tail', splitAt: 17 }, // next chunk starts with the }
];

function normalRecord(i: number) {
  return {
    id: `omniedit_style_${String(i).padStart(8, '0')}`,
    dataset_source: 'omniedit',
    task: 'style',
    input: `input/${i}.png`,
    output: `output/${i}.png`,
    instruction: `Make it look like "Brand }]" #${i}: naïve café, Ærø, 日本語 😀🎨`,
    windows_path: `C:\\data\\${i}\\}`,
    nested: { list: [i, `]}${i}{[`, { deep: ['\\"', '}'] }], ok: i % 2 === 0, none: null },
    note: 'x'.repeat(i % 50),
  };
}

/** A file of RECORDS records with one STRADDLERS value across each chunk boundary. */
function bigFile(format: 'json' | 'jsonl') {
  const [open, separator, close] = format === 'json' ? ['[\n', ',\n', '\n]\n'] : ['', '\n', '\n'];
  const parts: string[] = [];
  const records: object[] = [];
  const straddles: { offset: number; serialized: string; splitAt: number }[] = [];
  let bytes = Buffer.byteLength(open);
  for (let i = 0; i < RECORDS; i++) {
    const start = bytes + (i === 0 ? 0 : Buffer.byteLength(separator));
    let record: object = normalRecord(i);
    let text = JSON.stringify(record);
    const boundary = (straddles.length + 1) * CHUNK;
    const straddler = STRADDLERS[straddles.length];
    if (straddler && start + Buffer.byteLength(text) + 1000 > boundary) {
      // { "id", "pad", "s" }: pad so that the boundary falls `splitAt` bytes into "s"'s JSON text.
      const serialized = JSON.stringify(straddler.value);
      const before = Buffer.byteLength(`{"id":"pad${i}","pad":"`) + Buffer.byteLength('","s":');
      const pad = boundary - start - before - straddler.splitAt;
      record = { id: `pad${i}`, pad: 'p'.repeat(pad), s: straddler.value };
      text = JSON.stringify(record);
      straddles.push({ offset: boundary - straddler.splitAt, serialized, splitAt: straddler.splitAt });
    }
    parts.push(text);
    records.push(record);
    bytes = start + Buffer.byteLength(text);
  }
  const content = Buffer.from(open + parts.join(separator) + close);
  return { content, records, straddles };
}

describe.each(['json', 'jsonl'] as const)('readJsonRecords: a large %s file across read chunks', (format) => {
  it('round-trips every record exactly', async () => {
    const { content, records, straddles } = bigFile(format);
    // The fixture itself: every tricky value really sits across a chunk boundary.
    expect(straddles).toHaveLength(STRADDLERS.length);
    expect(content.length).toBeGreaterThan(STRADDLERS.length * CHUNK);
    for (const s of straddles) {
      expect(content.subarray(s.offset, s.offset + Buffer.byteLength(s.serialized)).toString()).toBe(s.serialized);
      expect((s.offset + s.splitAt) % CHUNK).toBe(0);
    }

    const file = writeFile(`big.${format}`, content);
    const progress = { bytesRead: 0 };
    const entries = await readAll(file, progress);

    expect(progress.bytesRead).toBe(content.length);
    expect(entries).toHaveLength(RECORDS);
    const notRecords = entries.filter((e) => e.kind !== 'record');
    expect(notRecords).toEqual([]);
    entries.forEach((entry, i) => {
      if (entry.kind !== 'record') throw new Error('unreachable');
      expect(entry.index).toBe(i);
      // toEqual on 20k records is slow: compare the canonical JSON text instead.
      if (entry.text !== JSON.stringify(records[i]) || JSON.stringify(entry.value) !== entry.text) {
        expect({ index: i, text: entry.text, value: entry.value }).toEqual({
          index: i,
          text: JSON.stringify(records[i]),
          value: records[i],
        });
      }
    });
    for (const s of STRADDLERS) {
      expect(entries.some((e) => e.kind === 'record' && (e.value as { s?: string }).s === s.value)).toBe(true);
    }
  });

  it('yields every record before a truncation in the last chunk, then one bad-file entry', async () => {
    const { content, records } = bigFile(format);
    // Cut in the middle of the last record.
    const cut = content.length - Math.floor(Buffer.byteLength(JSON.stringify(records.at(-1))) / 2) - 3;
    const entries = await readAll(writeFile(`cut.${format}`, content.subarray(0, cut)));
    const good = entries.filter((e) => e.kind === 'record');
    expect(good).toHaveLength(RECORDS - 1);
    expect(good.at(-1)).toMatchObject({ index: RECORDS - 2, value: records.at(-2) });
    if (format === 'json') {
      expect(entries.at(-1)).toEqual({ kind: 'bad-file', reason: 'not valid JSON: the array is not closed (truncated file?)' });
    } else {
      expect(entries.at(-1)).toMatchObject({ kind: 'bad-record', index: RECORDS - 1 });
    }
    expect(entries).toHaveLength(RECORDS);
  });
});
