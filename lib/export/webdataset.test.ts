import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import tar from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { cleanupTemp, gptEditRecord, tempDb, tempDir, writeGptEditLayout } from '@/lib/test/factories';
import { ACCEPTED, chosenImages, expectIdenticalExports, expectManifest, listFiles, reviewedSamples } from '@/lib/test/export';
import { exportWebDataset, sampleKey, tarHeader } from './webdataset';

afterEach(cleanupTemp);

interface TarEntry {
  name: string;
  mtime: number;
  mode: number;
  uid: number;
  gid: number;
  data: Buffer;
}

/** Every entry of a tar file, read with tar-stream's extractor. */
async function readTar(file: string): Promise<TarEntry[]> {
  const extract = tar.extract();
  fs.createReadStream(file).pipe(extract);
  const entries: TarEntry[] = [];
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    const { name, mtime, mode, uid, gid } = entry.header;
    entries.push({ name, mtime: mtime!.getTime(), mode: mode!, uid: uid!, gid: gid!, data: Buffer.concat(chunks) });
  }
  return entries;
}

/** Samples as WebDataset groups them: by the name up to its first dot. */
function samples(entries: TarEntry[]) {
  const byKey = new Map<string, Record<string, Buffer>>();
  for (const entry of entries) {
    const dot = entry.name.indexOf('.');
    const key = entry.name.slice(0, dot);
    byKey.set(key, { ...byKey.get(key), [entry.name.slice(dot + 1)]: entry.data });
  }
  return byKey;
}

describe('exportWebDataset', () => {
  it('writes each triplet as KEY.src.png, KEY.edit.png and KEY.json, with deterministic headers', async () => {
    const { db } = await reviewedSamples();
    const out = path.join(tempDir(), 'export');
    const summary = await exportWebDataset(db, { out });
    expect(summary).toMatchObject({ format: 'webdataset', items: 5, files: 1, skipped: 0 });
    expect(listFiles(out)).toEqual(['manifest.json', 'shard-000000.tar']);
    expect(expectManifest(out, 'webdataset', { items: 5, files: 1 }).options).toEqual({ shardSizeMb: 1024 });

    const entries = await readTar(path.join(out, 'shard-000000.tar'));
    expect(entries.map((e) => e.name)).toEqual(
      ACCEPTED.flatMap((id, i) => {
        const key = sampleKey(i, id);
        return [`${key}.src.png`, `${key}.edit.png`, `${key}.json`];
      }),
    );
    expect(entries[0].name).toBe('000000_hqedit_edit_00000001.src.png');
    expect(entries.every((e) => e.mtime === 0 && e.mode === 0o644 && e.uid === 0 && e.gid === 0)).toBe(true);

    const byKey = samples(entries);
    expect([...byKey.keys()]).toEqual(ACCEPTED.map((id, i) => sampleKey(i, id)));
    for (const [i, id] of ACCEPTED.entries()) {
      const sample = byKey.get(sampleKey(i, id))!;
      const chosen = chosenImages(db, id);
      expect(sample['src.png'].equals(chosen.source), id).toBe(true);
      expect(sample['edit.png'].equals(chosen.edited), id).toBe(true);
      const record = JSON.parse(sample.json.toString('utf8'));
      expect(record).toMatchObject({ id, dataset: 'gpt-edit', verdict: { decision: 'accept', reviewer: 'alice' } });
      expect(record).not.toHaveProperty('source');
      expect(record).not.toHaveProperty('edited');
    }
  });

  it('starts a new shard before a sample that would pass the shard size, never splitting a sample', async () => {
    const { db } = await reviewedSamples();
    const out = path.join(tempDir(), 'export');
    // The samples' image pairs take 9 KB to 890 KB: a few per 1 MB shard.
    const summary = await exportWebDataset(db, { out, status: 'all', shardSizeMb: 1 });
    const shards = listFiles(out).filter((f) => f.endsWith('.tar'));
    expect(shards.length).toBeGreaterThan(2);
    expect(summary.files).toBe(shards.length);
    expect(shards).toEqual(shards.map((_, i) => `shard-${String(i).padStart(6, '0')}.tar`));

    const keys: string[] = [];
    for (const shard of shards) {
      expect(fs.statSync(path.join(out, shard)).size).toBeLessThanOrEqual(1024 * 1024);
      const byKey = samples(await readTar(path.join(out, shard)));
      for (const [key, sample] of byKey) {
        expect(Object.keys(sample).sort(), key).toEqual(['edit.png', 'json', 'src.png']);
        keys.push(key);
      }
    }
    expect(keys).toHaveLength(12);
    expect(keys).toEqual([...keys].sort()); // positions count up across shards
  });

  it('writes byte-identical shards when the same filter is exported twice', async () => {
    const { db } = await reviewedSamples();
    const first = path.join(tempDir(), 'one');
    const second = path.join(tempDir(), 'two');
    await exportWebDataset(db, { out: first, status: 'all', shardSizeMb: 1 });
    await exportWebDataset(db, { out: second, status: 'all', shardSizeMb: 1 });
    expectIdenticalExports(first, second);
  });

  it('makes keys without dots or separators', () => {
    expect(sampleKey(7, 'a.b/c d')).toBe('000007_a_b_c_d');
    expect(sampleKey(1234567, 'x'.repeat(100))).toBe(`1234567_${'x'.repeat(64)}`);
  });

  it('keeps a JPEG as it is, named by its actual format', async () => {
    const { db } = tempDb();
    const root = path.join(tempDir(), 'layout');
    const { taskDir } = await writeGptEditLayout(root, [gptEditRecord('fam', 'task', 1, { input: 'input/photo.jpeg' })], {
      family: 'fam',
      task: 'task',
    });
    const jpeg = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 10, g: 200, b: 90 } } })
      .jpeg()
      .toBuffer();
    fs.writeFileSync(path.join(taskDir, 'input/photo.jpeg'), jpeg);
    await importGptEdit(db, root);

    const out = path.join(tempDir(), 'export');
    await exportWebDataset(db, { out, status: 'all' });
    const entries = await readTar(path.join(out, 'shard-000000.tar'));
    expect(entries.map((e) => e.name)).toEqual([
      '000000_fam_task_00000001.src.jpg',
      '000000_fam_task_00000001.edit.png',
      '000000_fam_task_00000001.json',
    ]);
    expect(entries[0].data.equals(jpeg)).toBe(true);
  });
  it('writes shards GNU tar reads: the same names and bytes, no warnings', async () => {
    const { db } = await reviewedSamples();
    const out = path.join(tempDir(), 'export');
    await exportWebDataset(db, { out });
    const shard = path.join(out, 'shard-000000.tar');
    const extracted = tempDir();
    const result = spawnSync('tar', ['-xf', shard, '-C', extracted], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const entries = await readTar(shard);
    expect(listFiles(extracted)).toEqual(entries.map((e) => e.name).sort());
    for (const entry of entries) expect(fs.readFileSync(path.join(extracted, entry.name)).equals(entry.data), entry.name).toBe(true);
  });
});

describe('tarHeader', () => {
  it('refuses a member name over the header’s 100 bytes instead of cutting it', () => {
    expect(
      tarHeader(`${'k'.repeat(96)}.png`, 10)
        .subarray(0, 100)
        .toString('utf8')
        .replace(/\0+$/, ''),
    ).toBe(`${'k'.repeat(96)}.png`);
    expect(() => tarHeader(`${'k'.repeat(97)}.png`, 10)).toThrow(/at most 100 bytes/);
  });
});
