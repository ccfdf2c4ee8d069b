import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { imageStoreDir } from '@/lib/images/store';
import { cleanupTemp, pngBuffer, tempDb, tempDir } from '@/lib/test/factories';
import { resolveFormat } from '../formats';
import { NothingToImportError } from '../import-gpt-edit';
import { importCsv, importJsonl } from './generic';
import { startTestServer, type TestServer } from '@/lib/test/image-host';

afterEach(cleanupTemp);

let server: TestServer;
let remotePng: Buffer;
let remotePng2: Buffer;

beforeAll(async () => {
  remotePng = await pngBuffer(70, 50, { r: 1, g: 2, b: 3 });
  remotePng2 = await pngBuffer(35, 25, { r: 9, g: 8, b: 7 });
  const slow = Object.fromEntries(
    Array.from({ length: 10 }, (_, i) => [`/slow/${i}.png`, { type: 'image/png', body: remotePng, delayMs: 40 }]),
  );
  server = await startTestServer({
    '/ok.png': { type: 'image/png', body: remotePng },
    '/ok2.png': { type: 'image/png', body: remotePng2 },
    '/page.html': { type: 'text/html', body: '<html>not an image</html>' },
    ...slow,
  });
});

afterAll(() => server.close());

const all = <T>(db: Db, sql: string, ...params: unknown[]) => db.$client.prepare(sql).all(...params) as T[];

interface Row {
  external_id: string;
  family: string;
  task: string;
  source_root: string;
  source_path: string;
  source_width: number;
  candidate_root: string;
  candidate_path: string;
  width: number;
  instruction: string;
  metadata: string;
}

function rows(db: Db): Row[] {
  return all<Row>(
    db,
    `SELECT i.external_id, i.family, i.task, sr.path AS source_root, i.source_path, i.source_width,
            cr.path AS candidate_root, c.path AS candidate_path, c.width, v.text AS instruction, i.metadata
     FROM items i JOIN image_roots sr ON sr.id = i.source_root_id
     JOIN candidates c ON c.id = i.current_candidate_id JOIN image_roots cr ON cr.id = c.root_id
     JOIN instruction_versions v ON v.id = i.current_instruction_id
     ORDER BY i.external_id`,
  );
}

/** A folder with imgs/a.png (64x48) and imgs/b.png (32x24) and the given file beside them. */
async function folderWith(name: string, content: string): Promise<string> {
  const dir = tempDir('loupe-generic-');
  fs.mkdirSync(path.join(dir, 'imgs'));
  fs.writeFileSync(path.join(dir, 'imgs', 'a.png'), await pngBuffer(64, 48));
  fs.writeFileSync(path.join(dir, 'imgs', 'b.png'), await pngBuffer(32, 24));
  fs.writeFileSync(path.join(dir, name), content);
  return path.join(dir, name);
}

const storedPath = (bytes: Buffer) => {
  const sha = crypto.createHash('sha256').update(bytes).digest('hex');
  return `${sha.slice(0, 2)}/${sha}.png`;
};

describe('importJsonl', () => {
  it('imports local and downloaded images with the default column names, reporting bad records', async () => {
    const records = [
      { id: 'j1', source: 'imgs/a.png', edited: 'imgs/b.png', instruction: 'Make it, red', task: 'color', dataset_source: 'mine' },
      { input_image: 'imgs/a.png', output_image: server.url('/ok.png'), prompt: 'Local source, downloaded edit' },
      { key: 'k3', src: server.url('/ok2.png'), target: server.url('/ok.png'), edit: 'Both downloaded' },
      { source: 'imgs/a.png', edited: server.url('/missing.png'), instruction: 'A 404' },
      { source: 'imgs/a.png', edited: server.url('/page.html'), instruction: 'Not an image' },
      { source: 'imgs/a.png', edited: 'imgs/b.png' },
      { source: '/etc/passwd', edited: 'imgs/b.png', instruction: 'Absolute' },
      { source: 'ftp://example.com/a.png', edited: 'imgs/b.png', instruction: 'Other scheme' },
      { source: 'imgs/none.png', edited: 'imgs/b.png', instruction: 'Missing file' },
    ];
    const lines = records.map((r) => JSON.stringify(r));
    lines.splice(8, 0, '{"broken": ');
    const file = await folderWith('edits.jsonl', lines.join('\n') + '\n');
    const { db } = tempDb();
    const summary = await importJsonl(db, file);

    expect(summary).toMatchObject({ dataset: 'edits', path: file, format: 'jsonl', files: 1, imported: 3, alreadyPresent: 0, skipped: 7 });
    expect(summary.problems).toEqual([
      { file: 'edits.jsonl', record: 'edits.jsonl:4', reason: `edited ${server.url('/missing.png')}: download failed: HTTP 404` },
      {
        file: 'edits.jsonl',
        record: 'edits.jsonl:5',
        reason: `edited ${server.url('/page.html')}: download failed: not an image (content-type text/html)`,
      },
      { file: 'edits.jsonl', record: 'edits.jsonl:6', reason: 'missing instruction (instruction | prompt | edit | edit_prompt)' },
      { file: 'edits.jsonl', record: 'edits.jsonl:7', reason: 'source: absolute image path not allowed: /etc/passwd' },
      { file: 'edits.jsonl', record: 'edits.jsonl:8', reason: 'source: only http(s) URLs can be downloaded: ftp://example.com/a.png' },
      { file: 'edits.jsonl', record: 'edits.jsonl:9', reason: expect.stringMatching(/^not valid JSON/) },
      { file: 'edits.jsonl', record: 'edits.jsonl:10', reason: 'source imgs/none.png: image file not found' },
    ]);

    const dir = path.dirname(file);
    const store = imageStoreDir(db);
    expect(rows(db).map(({ metadata: _m, ...rest }) => rest)).toEqual([
      {
        external_id: 'edits.jsonl:2',
        family: 'generic',
        task: 'default',
        source_root: dir,
        source_path: 'imgs/a.png',
        source_width: 64,
        candidate_root: store,
        candidate_path: storedPath(remotePng),
        width: 70,
        instruction: 'Local source, downloaded edit',
      },
      {
        external_id: 'j1',
        family: 'mine',
        task: 'color',
        source_root: dir,
        source_path: 'imgs/a.png',
        source_width: 64,
        candidate_root: dir,
        candidate_path: 'imgs/b.png',
        width: 32,
        instruction: 'Make it, red',
      },
      {
        external_id: 'k3',
        family: 'generic',
        task: 'default',
        source_root: store,
        source_path: storedPath(remotePng2),
        source_width: 35,
        candidate_root: store,
        candidate_path: storedPath(remotePng),
        width: 70,
        instruction: 'Both downloaded',
      },
    ]);
    // The downloaded bytes are in the store; the record is kept as written.
    expect(fs.readFileSync(path.join(store, storedPath(remotePng)))).toEqual(remotePng);
    expect(rows(db)[1].metadata).toBe(lines[0]);

    // Idempotent, and what is already imported is not downloaded again.
    const before = server.requests.filter((r) => r.startsWith('/ok')).length;
    const second = await importJsonl(db, file);
    expect(second).toMatchObject({ imported: 0, alreadyPresent: 3, skipped: 7 });
    expect(second.problems).toEqual(summary.problems);
    expect(server.requests.filter((r) => r.startsWith('/ok')).length).toBe(before);
  });

  it('takes a column mapping', async () => {
    const file = await folderWith(
      'mapped.jsonl',
      JSON.stringify({ uid: 'u1', before: 'imgs/a.png', after: 'imgs/b.png', text: 'Mapped', source: 'not-an-image-column' }) + '\n',
    );
    const { db } = tempDb();
    const summary = await importJsonl(db, file, {
      dataset: 'mapped-set',
      columns: { source: 'before', edited: 'after', instruction: 'text', id: 'uid' },
    });
    expect(summary).toMatchObject({ dataset: 'mapped-set', imported: 1, skipped: 0 });
    expect(rows(db)[0]).toMatchObject({
      external_id: 'u1',
      source_path: 'imgs/a.png',
      candidate_path: 'imgs/b.png',
      instruction: 'Mapped',
    });
  });

  it('downloads at most four images at a time', async () => {
    const lines = Array.from({ length: 10 }, (_, i) =>
      JSON.stringify({ id: `s${i}`, source: 'imgs/a.png', edited: server.url(`/slow/${i}.png`), instruction: `Slow ${i}` }),
    );
    const file = await folderWith('slow.jsonl', lines.join('\n'));
    const { db } = tempDb();
    server.maxInFlight = 0;
    expect(await importJsonl(db, file)).toMatchObject({ imported: 10, skipped: 0 });
    expect(server.maxInFlight).toBeGreaterThan(1);
    expect(server.maxInFlight).toBeLessThanOrEqual(4);
  });
});

describe('importCsv', () => {
  it('parses quoted commas and quotes, maps columns and reports bad rows', async () => {
    // A quoted field cannot span lines (lib/import/json-formats/csv.ts); bad-input.test.ts has those.
    const csv = [
      'uid,before,after,text,family,note',
      'c1,imgs/a.png,imgs/b.png,"Make it red, then blue",fam,"a note, with a comma"',
      `c2,imgs/a.png,${server.url('/ok2.png')},"Say ""hi""",,x`,
      ',imgs/a.png,imgs/missing.png,No id and no edit,,y',
      'c4,imgs/a.png,imgs/b.png',
      `c5,imgs/a.png,${server.url('/nope.png')},Gone,,z`,
    ].join('\r\n');
    const file = await folderWith('edits.csv', csv);
    const { db } = tempDb();
    const options = {
      columns: { source: 'before', edited: 'after', instruction: 'text', id: 'uid', extra: ['note', 'nope'] },
    };
    const summary = await importCsv(db, file, options);

    expect(summary).toMatchObject({ dataset: 'edits', format: 'csv', files: 1, imported: 2, skipped: 3 });
    expect(summary.problems).toEqual([
      { file: 'edits.csv', reason: 'extra column nope is not in the header' },
      { file: 'edits.csv', record: 'edits.csv:4', reason: 'after imgs/missing.png: image file not found' },
      { file: 'edits.csv', record: 'edits.csv:5', reason: 'row has 3 fields, the header has 6' },
      { file: 'edits.csv', record: 'c5', reason: `after ${server.url('/nope.png')}: download failed: HTTP 404` },
    ]);
    const [c1, c2] = rows(db);
    expect(c1).toMatchObject({ external_id: 'c1', family: 'fam', task: 'default', instruction: 'Make it red, then blue', width: 32 });
    expect(JSON.parse(c1.metadata)).toEqual({
      uid: 'c1',
      before: 'imgs/a.png',
      after: 'imgs/b.png',
      text: 'Make it red, then blue',
      family: 'fam',
      note: 'a note, with a comma',
    });
    expect(c2).toMatchObject({
      external_id: 'c2',
      family: 'generic',
      instruction: 'Say "hi"',
      source_root: path.dirname(file),
      candidate_root: imageStoreDir(db),
      candidate_path: storedPath(remotePng2),
      width: 35,
    });

    expect(await importCsv(db, file, options)).toMatchObject({ imported: 0, alreadyPresent: 2, skipped: 3 });
  });

  it('refuses a file whose header lacks a required column, and leaves no dataset behind', async () => {
    const file = await folderWith('nocol.csv', 'source,edited,caption\nimgs/a.png,imgs/b.png,hello\n');
    const { db } = tempDb();
    await expect(importCsv(db, file)).rejects.toThrow(NothingToImportError);
    await expect(importCsv(db, file)).rejects.toThrow(
      'nocol.csv: the header has no column for instruction (instruction | prompt | edit | edit_prompt)',
    );
    expect(all(db, 'SELECT * FROM datasets')).toEqual([]);
  });

  it('refuses an empty file and a folder', async () => {
    const file = await folderWith('empty.csv', '');
    const { db } = tempDb();
    await expect(importCsv(db, file)).rejects.toThrow('empty file: expected a header row');
    await expect(importCsv(db, path.dirname(file))).rejects.toThrow('is a folder; the csv format imports one file');
  });
});

describe('jsonl and csv: auto-detection', () => {
  it('goes by the file extension', async () => {
    const dir = tempDir('loupe-generic-');
    for (const [name, format] of [
      ['a.jsonl', 'jsonl'],
      ['b.ndjson', 'jsonl'],
      ['c.csv', 'csv'],
      ['D.CSV', 'csv'],
    ]) {
      fs.writeFileSync(path.join(dir, name), '');
      expect((await resolveFormat(path.join(dir, name))).name, name).toBe(format);
    }
  });
});
