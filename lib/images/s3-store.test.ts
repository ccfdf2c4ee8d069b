import fs from 'node:fs';
import path from 'node:path';
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { exportGptEdit } from '@/lib/export/gpt-edit';
import { importTarball } from '@/lib/import/tarball/import-tarball';
import { s3Client } from '@/lib/s3/client';
import { expectIdenticalExports } from '@/lib/test/export';
import { cleanupTemp, pngBuffer, SAMPLES_DIR, tempDb, tempDir } from '@/lib/test/factories';
import { startS3Server, useS3Env, type S3Server } from '@/lib/test/s3';
import { gzipTar, layoutMembers, writeParts } from '@/lib/test/tarball';
import { imageBytes } from './serve';
import { storeImage } from './store';
import { storeSetting } from './store-setting';

/** Loupe's image store in a bucket of a real s3rver process: written once, read back only as recorded. */
let s3: S3Server;
let restoreEnv: () => void;
const STORE = 's3://loupe-test/store';

beforeAll(async () => {
  s3 = await startS3Server();
  restoreEnv = useS3Env(s3);
});
afterAll(async () => {
  restoreEnv();
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

const putRaw = (key: string, body: Buffer) => s3Client().send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));

/** An item whose source image is a stored image (what jobs read through imageBytes). */
function useAsSource(db: Db, stored: { rootId: number; path: string; fileId: string }): number {
  const sql = db.$client;
  const dataset = sql.prepare("INSERT INTO datasets (name) VALUES ('s3') RETURNING id").pluck().get() as number;
  return sql
    .prepare(
      `INSERT INTO items (dataset_id, external_id, family, task, instruction_type, source_root_id, source_path, source_width, source_height,
         source_file_id, metadata, current_instruction_id, current_candidate_id)
       VALUES (?, 'x1', 'hqedit', 'edit', 'original', ?, ?, 1, 1, ?, '{}', 0, 0) RETURNING id`,
    )
    .pluck()
    .get(dataset, stored.rootId, stored.path, stored.fileId) as number;
}

describe('LOUPE_STORE', () => {
  it('is the local folder when unset or empty, a bucket and prefix when set', () => {
    expect(storeSetting({})).toBeUndefined();
    expect(storeSetting({ LOUPE_STORE: '' })).toBeUndefined();
    expect(storeSetting({ LOUPE_STORE: 's3://loupe-test/a/b/' })).toEqual({ bucket: 'loupe-test', prefix: 'a/b' });
  });

  it('refuses a malformed value, naming the variable and the rule', () => {
    expect(() => storeSetting({ LOUPE_STORE: '/srv/images' })).toThrow(
      'LOUPE_STORE: "/srv/images" is not an s3:// URL (expected s3://bucket/prefix)',
    );
    expect(() => storeSetting({ LOUPE_STORE: 's3://xy/images' })).toThrow(
      'LOUPE_STORE: s3://xy/images: bucket name must be 3–63 characters (got 2)',
    );
    expect(() => storeSetting({ LOUPE_STORE: 's3://Loupe_Images' })).toThrow(
      'LOUPE_STORE: s3://Loupe_Images: bucket name may hold only lowercase',
    );
  });

  it('stops a store write before anything is written when malformed', async () => {
    const { db } = tempDb();
    process.env.LOUPE_STORE = 's3://a';
    await expect(storeImage(db, await pngBuffer(8, 8))).rejects.toThrow('LOUPE_STORE: s3://a: bucket name must be 3–63 characters');
    expect(fs.existsSync(path.join(path.dirname(db.$client.name), 'images'))).toBe(false);
  });
});

describe('the S3 store', () => {
  it('writes an image once under its hash, recorded with the bucket as its root and the ETag as its identity', async () => {
    const { db } = tempDb();
    process.env.LOUPE_STORE = `${STORE}/`;
    const png = await pngBuffer(32, 24);
    const first = await storeImage(db, png);
    expect(first.path).toBe(`${first.sha256.slice(0, 2)}/${first.sha256}.png`);
    expect(first.fileId).toMatch(/^s3:[0-9a-f]{32}:\d+$/);
    expect(first.fileId.endsWith(`:${png.length}`)).toBe(true);
    expect(db.$client.prepare('SELECT path FROM image_roots WHERE id = ?').pluck().get(first.rootId)).toBe(STORE);
    const again = await storeImage(db, png);
    expect(again).toEqual(first);
    expect(await keys('store/')).toEqual([`store/${first.path}`]);
    // Nothing beside the database: the local store is not touched.
    expect(fs.existsSync(path.join(path.dirname(db.$client.name), 'images'))).toBe(false);
  });

  it('gives jobs the recorded bytes, and nothing once the object is overwritten or gone', async () => {
    const { db } = tempDb();
    process.env.LOUPE_STORE = STORE;
    const png = await pngBuffer(20, 20, { r: 1, g: 2, b: 3 });
    const stored = await storeImage(db, png);
    const item = useAsSource(db, stored);
    expect((await imageBytes(db, 'source', item))?.equals(png)).toBe(true);

    await putRaw(`store/${stored.path}`, await pngBuffer(20, 20, { r: 9, g: 9, b: 9 }));
    expect(await imageBytes(db, 'source', item)).toBeUndefined();
    await s3Client().send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: `store/${stored.path}` }));
    expect(await imageBytes(db, 'source', item)).toBeUndefined();
  });

  it('refuses an object that is not an image, as a file would be', async () => {
    const { db } = tempDb();
    process.env.LOUPE_STORE = STORE;
    const stored = await storeImage(db, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'png');
    expect(await imageBytes(db, 'source', useAsSource(db, stored))).toBeUndefined();
  });

  it('stays local when LOUPE_STORE is unset: the same names, in the folder beside the database', async () => {
    const { db } = tempDb();
    const png = await pngBuffer(16, 16);
    const stored = await storeImage(db, png);
    const dir = path.join(path.dirname(db.$client.name), 'images');
    expect(db.$client.prepare('SELECT path FROM image_roots WHERE id = ?').pluck().get(stored.rootId)).toBe(dir);
    expect(stored.fileId).toMatch(/^\d+:\d+$/);
    expect(fs.readFileSync(path.join(dir, stored.path)).equals(png)).toBe(true);
    expect((await imageBytes(db, 'source', useAsSource(db, stored)))?.equals(png)).toBe(true);
  });
});

/** The samples as split tarballs, imported into either store, then exported. */
async function importAndExport(store: string | undefined, parts: string) {
  if (store) process.env.LOUPE_STORE = store;
  else delete process.env.LOUPE_STORE;
  const { db } = tempDb();
  expect(await importTarball(db, [parts])).toMatchObject({ imported: 12, skipped: 0 });
  const out = path.join(tempDir('loupe-s3-export-'), 'out');
  const summary = await exportGptEdit(db, { out, status: 'all' });
  return { db, out, summary };
}

describe('tarball import into the S3 store, and export from it', () => {
  it('stores the images in the bucket, and exports files byte-identical to the local store’s', async () => {
    const parts = path.join(tempDir('loupe-s3-parts-'), 'gpt-edit');
    for (const family of ['hqedit', 'omniedit', 'ultraedit']) {
      writeParts(parts, `${family}.tar.gz`, await gzipTar(layoutMembers(path.join(SAMPLES_DIR, family), `${family}/`), 1), {
        partBytes: 256 * 1024,
      });
    }
    const local = await importAndExport(undefined, parts);
    const inBucket = await importAndExport(`${STORE}/tarball`, parts);
    expect(fs.existsSync(path.join(path.dirname(inBucket.db.$client.name), 'images'))).toBe(false);
    const stored = await keys('store/tarball/');
    expect(stored.length).toBe(
      fs.readdirSync(path.join(path.dirname(local.db.$client.name), 'images'), { recursive: true }).filter((f) => String(f).includes('.'))
        .length,
    );
    expect(inBucket.summary).toMatchObject({ items: 12 });
    expectIdenticalExports(local.out, inBucket.out);

    // An object overwritten since the import is refused by the export, by name, and the rest goes out.
    const [first] = stored;
    await putRaw(first, await pngBuffer(10, 10));
    const out = path.join(tempDir('loupe-s3-export-'), 'again');
    const again = await exportGptEdit(inBucket.db, { out, status: 'all' });
    expect(again.items).toBeLessThan(12);
    expect(again.items).toBeGreaterThan(0);
    expect(JSON.stringify(again)).toContain(`image not exported: image file changed since it was imported: s3://loupe-test/${first}`);
  });
});
