import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { exportGptEdit } from '@/lib/export/gpt-edit';
import { imageStoreDir } from '@/lib/images/store';
import { s3Client } from '@/lib/s3/client';
import { expectIdenticalExports, listFiles } from '@/lib/test/export';
import { cleanupTemp, copySamples, pngBuffer, tempDb, tempDir } from '@/lib/test/factories';
import { startTestServer, type TestServer } from '@/lib/test/image-host';
import { startS3Server, useS3Env, type S3Server } from '@/lib/test/s3';
import { importGptEdit } from './import-gpt-edit';
import { importJsonl } from './json-formats/generic';
import type { ImportSummary } from './session';

/**
 * Imports that put their images into Loupe's store, with the store in a bucket of a real
 * s3rver process (LOUPE_STORE=s3://…): images downloaded from URLs, and a layout's images,
 * which the local store references where they lie. Each import is compared with the same
 * import into the local store through its export.
 */
let s3: S3Server;
let host: TestServer;
let restoreEnv: () => void;
let remotePng: Buffer;
let remotePng2: Buffer;

beforeAll(async () => {
  s3 = await startS3Server();
  restoreEnv = useS3Env(s3);
  remotePng = await pngBuffer(70, 50, { r: 1, g: 2, b: 3 });
  remotePng2 = await pngBuffer(35, 25, { r: 9, g: 8, b: 7 });
  host = await startTestServer({
    '/ok.png': { type: 'image/png', body: remotePng },
    '/ok2.png': { type: 'image/png', body: remotePng2 },
  });
});
afterAll(async () => {
  restoreEnv();
  await host.close();
  await s3.stop();
});
afterEach(() => {
  delete process.env.LOUPE_STORE;
  cleanupTemp();
});

async function keys(prefix: string): Promise<string[]> {
  const listed = await s3Client().send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((object) => object.Key!).sort();
}

const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

/** Runs an import with the store at `store` (undefined: the local folder) into a new database, then exports it. */
async function importAndExport(store: string | undefined, run: (db: Db) => Promise<ImportSummary>) {
  if (store) process.env.LOUPE_STORE = store;
  else delete process.env.LOUPE_STORE;
  const { db } = tempDb();
  const summary = await run(db);
  const out = path.join(tempDir('loupe-s3-import-export-'), 'out');
  const exported = await exportGptEdit(db, { out, status: 'all' });
  return { db, summary, out, exported };
}

/** The roots the items' images (source and current candidate) are recorded against. */
function itemRoots(db: Db): string[] {
  return db.$client
    .prepare(
      `SELECT DISTINCT r.path FROM items i JOIN candidates c ON c.id = i.current_candidate_id
       JOIN image_roots r ON r.id IN (i.source_root_id, c.root_id) ORDER BY r.path`,
    )
    .pluck()
    .all() as string[];
}

/**
 * Every exported record with its two images' bytes, by id (as lib/import/tarball's test
 * compares a tarball import with the layout's): a layout's images copied into the store are
 * named by their hash in an export, so the records' input/output fields differ, their bytes must not.
 */
function exportedRecords(out: string) {
  const records = new Map<string, { record: Record<string, unknown>; input: Buffer; output: Buffer }>();
  for (const file of listFiles(out).filter((f) => f.includes('/metadata/'))) {
    const taskDir = path.join(out, path.dirname(path.dirname(file)));
    for (const record of JSON.parse(fs.readFileSync(path.join(out, file), 'utf8')) as Record<string, unknown>[]) {
      const { input, output, ...rest } = record;
      records.set(record.id as string, {
        record: rest,
        input: fs.readFileSync(path.join(taskDir, input as string)),
        output: fs.readFileSync(path.join(taskDir, output as string)),
      });
    }
  }
  return records;
}

function expectSameImages(reference: string, imported: string, count: number) {
  const expected = exportedRecords(reference);
  const actual = exportedRecords(imported);
  expect(expected.size).toBe(count);
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [id, want] of expected) {
    const got = actual.get(id)!;
    expect(got.record, id).toEqual(want.record);
    expect(got.input.equals(want.input), `${id} input`).toBe(true);
    expect(got.output.equals(want.output), `${id} output`).toBe(true);
  }
}

/** What an item is, without where its images are. */
function items(db: Db) {
  return db.$client
    .prepare(
      `SELECT i.external_id, i.family, i.task, i.instruction_type, i.metadata, i.source_width, i.source_height, c.width, c.height,
              (SELECT json_group_array(json_array(v.kind, v.text)) FROM (SELECT kind, text FROM instruction_versions WHERE item_id = i.id ORDER BY id) v) AS instructions
       FROM items i JOIN candidates c ON c.id = i.current_candidate_id ORDER BY i.external_id`,
    )
    .all();
}

const comparable = ({ seconds: _s, importRunId: _r, datasetId: _d, ...rest }: ImportSummary) => rest;

describe('a JSON import with image URLs into the S3 store', () => {
  it('uploads the downloaded images to the bucket once each, and exports the files the local store exports', async () => {
    const dir = tempDir('loupe-s3-jsonl-');
    const file = path.join(dir, 'edits.jsonl');
    const records = [
      { id: 'both-urls', source: host.url('/ok.png'), edited: host.url('/ok2.png'), instruction: 'Both downloaded' },
      { id: 'swapped', source: host.url('/ok2.png'), edited: host.url('/ok.png'), instruction: 'The same two, the other way' },
      { id: 'missing', source: host.url('/ok.png'), edited: host.url('/missing.png'), instruction: 'A 404' },
    ];
    fs.writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');

    const local = await importAndExport(undefined, (db) => importJsonl(db, file));
    const inBucket = await importAndExport('s3://loupe-test/store/jsonl', (db) => importJsonl(db, file));

    expect(inBucket.summary).toMatchObject({ imported: 2, skipped: 1 });
    expect(comparable(inBucket.summary)).toEqual(comparable(local.summary));
    expect(inBucket.summary.problems).toEqual([
      { file: 'edits.jsonl', record: 'missing', reason: `edited ${host.url('/missing.png')}: download failed: HTTP 404` },
    ]);
    expect(itemRoots(inBucket.db)).toEqual(['s3://loupe-test/store/jsonl']);
    expect(fs.existsSync(imageStoreDir(inBucket.db))).toBe(false);
    const names = [remotePng, remotePng2].map((png) => {
      const sha = sha256(png);
      return `store/jsonl/${sha.slice(0, 2)}/${sha}.png`;
    });
    expect(await keys('store/jsonl/')).toEqual(names.sort());

    expect(inBucket.exported).toMatchObject({ items: 2 });
    expectIdenticalExports(local.out, inBucket.out);
  });
});

describe('a layout import into the S3 store', () => {
  it('copies each checked image into the bucket once, reports what the local import reports, and exports the same files', async () => {
    const samples = copySamples();
    // A file that is not an image, and a missing one: refused as the local import refuses them.
    fs.writeFileSync(path.join(samples, 'omniedit/env/output/00000005.png'), 'not a png');
    fs.rmSync(path.join(samples, 'omniedit/style/input/00000004.png'));
    const images = (fs.readdirSync(samples, { recursive: true }) as string[])
      .filter((name) => name.endsWith('.png') && name !== path.join('omniedit', 'env', 'output', '00000005.png'))
      .map((name) => fs.readFileSync(path.join(samples, name)));
    const STORE = 's3://loupe-test/store/layout';

    const local = await importAndExport(undefined, (db) => importGptEdit(db, samples));
    const inBucket = await importAndExport(STORE, (db) => importGptEdit(db, samples));

    expect(local.summary).toMatchObject({ skipped: 2 });
    expect(comparable(inBucket.summary)).toEqual(comparable(local.summary));
    expect(inBucket.summary.problems).toHaveLength(2);
    expect(inBucket.summary.problems.map((p) => p.reason).join('\n')).toContain('image file not found');
    // Recorded against the store's root only: no local folder is a root, nothing is written beside the database.
    expect(itemRoots(inBucket.db)).toEqual([STORE]);
    expect(inBucket.db.$client.prepare('SELECT path FROM image_roots').pluck().all()).toEqual([STORE]);
    expect(fs.existsSync(imageStoreDir(inBucket.db))).toBe(false);
    // Content-addressed: each distinct image once (the refused record's good image is stored too, as the tarball import's is).
    const expected = [...new Set(images.map(sha256))].map((sha) => `store/layout/${sha.slice(0, 2)}/${sha}.png`).sort();
    expect(await keys('store/layout/')).toEqual(expected);

    expect(items(inBucket.db)).toEqual(items(local.db));
    expect(inBucket.exported.items).toBe(local.exported.items);
    expectSameImages(local.out, inBucket.out, local.summary.imported);

    // Again: nothing new is imported or stored; into another dataset, the same objects are referenced.
    const again = await importGptEdit(inBucket.db, samples);
    expect(again).toMatchObject({ imported: 0, alreadyPresent: inBucket.summary.imported, skipped: 2 });
    const other = await importGptEdit(inBucket.db, samples, { dataset: 'again' });
    expect(other).toMatchObject({ imported: inBucket.summary.imported, skipped: 2 });
    expect(await keys('store/layout/')).toEqual(expected);
    expect(itemRoots(inBucket.db)).toEqual([STORE]);
  });
});

describe('a malformed LOUPE_STORE', () => {
  it('stops an import with its reason before anything is written', async () => {
    process.env.LOUPE_STORE = 's3://ab/prefix'; // a bucket name is 3 to 63 characters
    const { db } = tempDb();
    await expect(importGptEdit(db, copySamples())).rejects.toThrow(/^LOUPE_STORE: /);
    expect(db.$client.prepare('SELECT (SELECT count(*) FROM datasets) + (SELECT count(*) FROM import_runs)').pluck().get()).toBe(0);
  });
});
