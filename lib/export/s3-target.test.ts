import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { storeImage } from '@/lib/images/store';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { getObject, listObjects, readBody } from '@/lib/s3/objects';
import { listFiles, reviewedSamples } from '@/lib/test/export';
import { cleanupTemp, tempDb, tempDir } from '@/lib/test/factories';
import { distinctPng } from '@/lib/test/tarball';
import { startS3Server, useS3Env, type S3Server } from '@/lib/test/s3';
import { exportItems } from './index';
import { ExportError } from './selection';

let server: S3Server;
let restoreEnv: () => void;
beforeAll(async () => {
  server = await startS3Server('loupe-exports');
  restoreEnv = useS3Env(server);
});
afterAll(async () => {
  restoreEnv();
  await server.stop();
});
afterEach(cleanupTemp);

const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');
const keys = async (prefix: string) => {
  const found: string[] = [];
  for await (const object of listObjects('loupe-exports', prefix)) found.push(object.key);
  return found.sort();
};
const read = async (key: string) => readBody((await getObject({ bucket: 'loupe-exports', key })).body, 1 << 30);

describe('export --out s3://bucket/prefix', () => {
  it('uploads every file under the prefix, byte-identical to the same export to a folder, the manifest last', async () => {
    const { db } = await reviewedSamples();
    const local = path.join(tempDir(), 'local');
    await exportItems(db, 'jsonl', { out: local, images: 'copy' });
    const summary = await exportItems(db, 'jsonl', { out: 's3://loupe-exports/runs/jsonl/' });
    expect(summary).toMatchObject({
      out: 's3://loupe-exports/runs/jsonl',
      items: 5,
      files: 11,
      images: 'copy',
      imageCounts: { copied: 10 },
    });
    expect(summary.notices).toEqual([
      'an export to object storage copies its images (a bucket has no hard links)',
      '12 files uploaded to s3://loupe-exports/runs/jsonl',
    ]);
    const files = listFiles(local);
    expect(await keys('runs/jsonl/')).toEqual(files.map((f) => `runs/jsonl/${f}`).sort());
    for (const file of files.filter((f) => f !== 'manifest.json')) {
      expect((await read(`runs/jsonl/${file}`)).equals(fs.readFileSync(path.join(local, file))), file).toBe(true);
    }
    // The uploaded manifest describes the uploaded files (their sizes and SHA-256).
    const manifest = JSON.parse((await read('runs/jsonl/manifest.json')).toString('utf8'));
    expect(manifest).toMatchObject({ format: 'jsonl', counts: { items: 5, files: 11 }, options: { images: 'copy' } });
    for (const entry of manifest.files) expect(sha256(await read(`runs/jsonl/${entry.path}`)), entry.path).toBe(entry.sha256);
    expect(db.$client.prepare('SELECT out_path, status FROM exports ORDER BY id DESC LIMIT 1').get()).toEqual({
      out_path: 's3://loupe-exports/runs/jsonl',
      status: 'done',
    });
  });

  it('streams a shard larger than a part as a multipart upload (WebDataset), byte-identical', async () => {
    // Four items with their own 1.5 MB images: a 12 MB shard, over the 8 MiB part size.
    const root = path.join(tempDir(), 'gpt-edit');
    const task = path.join(root, 'omniedit', 'big');
    for (const sub of ['input', 'output', 'metadata']) fs.mkdirSync(path.join(task, sub), { recursive: true });
    const records = [0, 1, 2, 3].map((i) => {
      fs.writeFileSync(path.join(task, 'input', `${i}.png`), distinctPng(2 * i, 1_500_000));
      fs.writeFileSync(path.join(task, 'output', `${i}.png`), distinctPng(2 * i + 1, 1_500_000));
      return {
        id: `big_${i}`,
        dataset_source: 'omniedit',
        task: 'big',
        input: `input/${i}.png`,
        output: `output/${i}.png`,
        instruction: 'x',
      };
    });
    fs.writeFileSync(path.join(task, 'metadata', 'omniedit_big.json'), JSON.stringify(records));
    const { db } = tempDb();
    await importGptEdit(db, root);
    const local = path.join(tempDir(), 'local');
    await exportItems(db, 'webdataset', { out: local, status: 'all' });
    const uploaded = await exportItems(db, 'webdataset', { out: 's3://loupe-exports/runs/wds', status: 'all' });
    expect(uploaded.notices).toEqual(['2 files uploaded to s3://loupe-exports/runs/wds (1 in several parts)']);
    const shard = fs.readFileSync(path.join(local, 'shard-000000.tar'));
    expect(shard.length).toBeGreaterThan(8 * 1024 * 1024);
    expect((await read('runs/wds/shard-000000.tar')).equals(shard)).toBe(true);
  });

  it('images in an S3 store (LOUPE_STORE) cannot be linked: said, and copied; none names them by their store name', async () => {
    const { db } = await reviewedSamples();
    const itemId = db.$client.prepare<[], number>("SELECT id FROM items WHERE external_id = 'hqedit_edit_00000001'").pluck().get()!;
    const bytes = distinctPng(7, 4000);
    process.env.LOUPE_STORE = 's3://loupe-exports/store';
    try {
      const stored = await storeImage(db, bytes);
      db.$client
        .prepare(
          'UPDATE candidates SET root_id = ?, path = ?, file_id = ? WHERE id = (SELECT current_candidate_id FROM items WHERE id = ?)',
        )
        .run(stored.rootId, stored.path, stored.fileId, itemId);
      const out = path.join(tempDir(), 'link');
      const link = await exportItems(db, 'jsonl', { out, images: 'link' });
      expect(link).toMatchObject({ items: 5, imageCounts: { linked: 9, copied: 1 } });
      expect(link.notices).toEqual([
        'images in object storage (s3://) cannot be hard-linked: those are copied',
        'hard links refused (s3: images in object storage): 1 images copied instead',
      ]);
      const record = fs.readFileSync(path.join(out, 'data.jsonl'), 'utf8').split('\n')[0];
      expect(fs.readFileSync(path.join(out, JSON.parse(record).edited)).equals(bytes)).toBe(true);

      const none = await exportItems(db, 'jsonl', { out: path.join(tempDir(), 'none'), images: 'none' });
      expect(none.items).toBe(5);
      const ref = JSON.parse(fs.readFileSync(path.join(none.out, 'data.jsonl'), 'utf8').split('\n')[0]).edited_ref;
      expect(ref).toEqual({ root: 's3://loupe-exports/store', path: stored.path, sha256: sha256(bytes) });
      expect((await read(`store/${stored.path}`)).equals(bytes)).toBe(true);
    } finally {
      delete process.env.LOUPE_STORE;
    }
  });

  it('refuses a prefix that already holds objects, a bad bucket name, and the training layout', async () => {
    const { db } = await reviewedSamples();
    await exportItems(db, 'jsonl', { out: 's3://loupe-exports/taken', images: 'none' });
    await expect(exportItems(db, 'jsonl', { out: 's3://loupe-exports/taken' })).rejects.toThrow(
      /already holds objects .*choose a new or empty prefix/,
    );
    await expect(exportItems(db, 'jsonl', { out: 's3://Bad_Bucket/x' })).rejects.toThrow(ExportError);
    await expect(exportItems(db, 'gpt-image-edit-training', { out: 's3://loupe-exports/t' })).rejects.toThrow(/export it to a folder/);
  });
});
