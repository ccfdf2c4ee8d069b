import fs from 'node:fs';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exportGptEdit } from '@/lib/export/gpt-edit';
import { s3Client } from '@/lib/s3/client';
import { expectIdenticalExports } from '@/lib/test/export';
import { cleanupTemp, SAMPLES_DIR, tempDb, tempDir } from '@/lib/test/factories';
import { omniEditRow, OMNIEDIT_COLUMNS, writeParquet } from '@/lib/test/parquet-shards';
import { startS3Server, useS3Env, type S3Server } from '@/lib/test/s3';
import { gzipTar, layoutMembers, writeParts } from '@/lib/test/tarball';
import { resolveFormatOf } from './formats';
import { NothingToImportError } from './session';

/** `import s3://bucket/prefix`: the sources of a real s3rver process, imported as their local copies would be. */
let s3: S3Server;
let restoreEnv: () => void;

beforeAll(async () => {
  s3 = await startS3Server('loupe-sources');
  restoreEnv = useS3Env(s3);
});
afterAll(async () => {
  restoreEnv();
  await s3.stop();
});
afterEach(() => {
  delete process.env.LOUPE_STORE;
  delete process.env.LOUPE_DATA_DIR;
  cleanupTemp();
});

/** Uploads every file under `dir` to `prefix/<its relative path>`. */
async function upload(dir: string, prefix: string) {
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[]) {
    if (!entry.isFile()) continue;
    const relative = path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
    const body = fs.readFileSync(path.join(entry.parentPath, entry.name));
    await s3Client().send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/${relative}`, Body: body }));
  }
}

/** Imports `sources` (paths or URLs) into a fresh database whose data folder is LOUPE_DATA_DIR, then exports everything. */
async function importThenExport(sources: string[]) {
  const { db, dir } = tempDb();
  process.env.LOUPE_DATA_DIR = dir;
  const { format, run } = await resolveFormatOf(sources);
  const summary = await run(db, {});
  const out = path.join(tempDir('loupe-s3-source-export-'), 'out');
  await exportGptEdit(db, { out, status: 'all' });
  return { db, dir, format: format.name, summary, out };
}

async function sampleParts(): Promise<string> {
  const parts = path.join(tempDir('loupe-s3-source-parts-'), 'gpt-edit');
  for (const family of ['hqedit', 'omniedit', 'ultraedit']) {
    writeParts(parts, `${family}.tar.gz`, await gzipTar(layoutMembers(path.join(SAMPLES_DIR, family), `${family}/`), 1), {
      partBytes: 256 * 1024,
    });
  }
  return parts;
}

describe('import s3://…', () => {
  it('imports a layout folder in a bucket as the same folder on disk: the same items, a byte-identical export', async () => {
    await upload(SAMPLES_DIR, 'layouts/gpt-edit');
    const local = await importThenExport([SAMPLES_DIR]);
    const remote = await importThenExport([`s3://${s3.bucket}/layouts/gpt-edit`]);
    expect(remote.format).toBe('gpt-edit');
    expect(remote.summary).toMatchObject({ imported: 12, skipped: 0 });
    expectIdenticalExports(local.out, remote.out);
    // The layout's images are read from the copy beside the database, so it stays.
    expect(
      fs.existsSync(path.join(remote.dir, 's3-sources', s3.bucket, 'layouts', 'gpt-edit', 'hqedit', 'edit', 'input', '00000001.png')),
    ).toBe(true);
  });

  it('imports split tarball parts from a bucket into the S3 store, leaving no copy of the parts', async () => {
    const parts = await sampleParts();
    await upload(parts, 'release/gpt-edit');
    const local = await importThenExport([parts]);
    process.env.LOUPE_STORE = `s3://${s3.bucket}/store`;
    const remote = await importThenExport([`s3://${s3.bucket}/release/gpt-edit`]);
    expect(remote.format).toBe('gpt-edit-tarball');
    expect(remote.summary).toMatchObject({ imported: 12, skipped: 0 });
    expectIdenticalExports(local.out, remote.out);
    expect(fs.existsSync(path.join(remote.dir, 's3-sources', s3.bucket, 'release', 'gpt-edit'))).toBe(false);
    expect(fs.existsSync(path.join(remote.dir, 'images'))).toBe(false);
    const roots = remote.db.$client.prepare('SELECT path FROM image_roots').pluck().all();
    expect(roots).toEqual([`s3://${s3.bucket}/store`]);
  });

  it('takes parts named one by one as URLs, and parquet shards', async () => {
    const parts = await sampleParts();
    await upload(parts, 'named');
    const urls = fs
      .readdirSync(parts)
      .filter((name) => name.startsWith('hqedit.'))
      .sort()
      .map((name) => `s3://${s3.bucket}/named/${name}`);
    expect(urls.length).toBeGreaterThan(1);
    const named = await importThenExport(urls);
    expect(named.summary).toMatchObject({ imported: 3, skipped: 0 }); // hqedit: edit 1, 2 and generate 3

    const shards = tempDir('loupe-s3-source-parquet-');
    const rows = await Promise.all([1, 2, 3].map((n) => omniEditRow(n)));
    await writeParquet(path.join(shards, 'train-00000-of-00001.parquet'), OMNIEDIT_COLUMNS, rows);
    await upload(shards, 'parquet/data');
    const parquet = await importThenExport([`s3://${s3.bucket}/parquet/data`]);
    expect(parquet.format).toBe('omniedit-parquet');
    expect(parquet.summary).toMatchObject({ imported: 3, skipped: 0 });
  });

  it('refuses an empty prefix, a bad bucket name and a mix with local paths, naming them', async () => {
    const { dir } = tempDb();
    process.env.LOUPE_DATA_DIR = dir;
    await expect(resolveFormatOf([`s3://${s3.bucket}/nothing-here`])).rejects.toThrow(
      new NothingToImportError(`no objects at or under s3://${s3.bucket}/nothing-here`),
    );
    await expect(resolveFormatOf(['s3://xy/data'])).rejects.toThrow('s3://xy/data: bucket name must be 3–63 characters (got 2)');
    await expect(resolveFormatOf([`s3://${s3.bucket}/named`, SAMPLES_DIR])).rejects.toThrow(
      'give either s3:// URLs or local paths, not both',
    );
  });
});
