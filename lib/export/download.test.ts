import fs from 'node:fs';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { extract, type Pack } from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTemp, tempDb, tempDir } from '@/lib/test/factories';
import { exportsRoot } from './background';
import { downloadableExportDir, tarExportDir } from './download';
import { exportItems } from './index';
import { listFiles, reviewedSamples } from '@/lib/test/export';

afterEach(cleanupTemp);

/** Reads a tar back: name → bytes. */
async function readTar(tar: Pack): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const reader = extract();
  const done = new Promise<void>((resolve, reject) => {
    reader.on('entry', (header, stream, next) => {
      buffer(stream).then((bytes) => {
        files.set(header.name, bytes);
        next();
      }, reject);
    });
    reader.on('finish', resolve);
    reader.on('error', reject);
    tar.on('error', reject);
  });
  tar.pipe(reader);
  await done;
  return files;
}

describe('export download', () => {
  it('streams every file of an export folder as a tar, with paths relative to the folder', async () => {
    const { db } = await reviewedSamples();
    const out = path.join(tempDir(), 'export');
    await exportItems(db, 'jsonl', { out });
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7); // several chunks, not a multiple of 512
    fs.writeFileSync(path.join(out, 'big.bin'), big);

    const files = await readTar(tarExportDir(out));
    const expected = listFiles(out);
    expect([...files.keys()].sort()).toEqual([...expected].sort());
    expect(files.has('data.jsonl')).toBe(true);
    expect(files.has('manifest.json')).toBe(true);
    for (const name of expected) expect(files.get(name), name).toEqual(fs.readFileSync(path.join(out, name)));
  });

  it('errors the stream (rather than ending a short tar) when the folder cannot be read', async () => {
    await expect(readTar(tarExportDir(path.join(tempDir(), 'gone')))).rejects.toThrow(/ENOENT/);
  });

  it('offers only finished exports under the data folder', async () => {
    const { db } = tempDb();
    const dataDir = tempDir();
    const inside = path.join(exportsRoot(dataDir), '1-jsonl');
    const running = path.join(exportsRoot(dataDir), '2-jsonl');
    const outside = path.join(tempDir(), 'mine');
    const sneaky = path.join(exportsRoot(dataDir), '..', 'loupe.db-dir');
    const ids = [inside, running, outside, sneaky].map((out) => {
      fs.mkdirSync(out, { recursive: true });
      return db.$client
        .prepare(`INSERT INTO exports (format, filter, out_path, created_by, status) VALUES ('jsonl', '{}', ?, 'test', ?) RETURNING id`)
        .pluck()
        .get(out, out === running ? 'running' : 'done') as number;
    });
    expect(ids.map((id) => downloadableExportDir(db, dataDir, id))).toEqual([inside, null, null, null]);
    expect(downloadableExportDir(db, dataDir, 9999)).toBeNull();
  });
});
