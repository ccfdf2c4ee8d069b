import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanupTemp, tempDb, tempDir } from '@/lib/test/factories';
import { NothingToImportError } from '../import-gpt-edit';
import { hqEditRow, HQEDIT_COLUMNS, omniEditRow, OMNIEDIT_COLUMNS, writeParquet, type FixtureRow } from '@/lib/test/parquet-shards';
import { HQEDIT } from './hqedit';
import { importParquet } from './import-parquet';
import { OMNIEDIT } from './omniedit';
import { fileHandleBuffer, ParquetShard } from './shard';
import { count, items, storeFiles } from '@/lib/test/queries';

afterEach(() => {
  vi.restoreAllMocks();
  cleanupTemp();
});

async function omniEditShard(dir: string, name: string, from: number, to: number, rowGroupSize = 2): Promise<string> {
  const rows: FixtureRow[] = [];
  for (let n = from; n < to; n++) rows.push(await omniEditRow(n));
  const file = path.join(dir, name);
  await writeParquet(file, OMNIEDIT_COLUMNS, rows, rowGroupSize);
  return file;
}

describe('parquet import: streaming and resume', () => {
  it('reads one row group at a time through a file handle', async () => {
    const file = await omniEditShard(tempDir(), 'a.parquet', 0, 5);
    const shard = await ParquetShard.open(file);
    try {
      expect(shard.rowGroups.map(({ rowStart, rowEnd }) => [rowStart, rowEnd])).toEqual([
        [0, 2],
        [2, 4],
        [4, 5],
      ]);
      const rows = await shard.read(shard.rowGroups[1], ['omni_edit_id', 'src_img']);
      expect(rows.map((r) => r.omni_edit_id)).toEqual(['omni_00002', 'omni_00003']);
      expect((rows[0].src_img as { bytes: Uint8Array }).bytes).toBeInstanceOf(Uint8Array);
    } finally {
      await shard.close();
    }

    // The AsyncBuffer returns exactly the bytes asked for.
    const bytes = fs.readFileSync(file);
    const handle = await fs.promises.open(file, 'r');
    try {
      const buffer = fileHandleBuffer(handle, bytes.length);
      const slice = await buffer.slice(10, 90);
      expect(Buffer.from(slice).equals(bytes.subarray(10, 90))).toBe(true);
      expect(Buffer.from(await buffer.slice(bytes.length - 8)).equals(bytes.subarray(bytes.length - 8))).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it('resumes an interrupted import without decoding or rewriting what is done', async () => {
    const dir = tempDir();
    await omniEditShard(dir, 'train-00000-of-00002.parquet', 0, 6); // groups 0-1, 2-3, 4-5
    await omniEditShard(dir, 'train-00001-of-00002.parquet', 6, 10); // groups 6-7, 8-9
    const { db } = tempDb();

    // Stopped after two row groups (as Ctrl-C would, between groups).
    const stop = new AbortController();
    let groups = 0;
    const first = await importParquet(db, dir, OMNIEDIT, {
      signal: stop.signal,
      onProgress: () => {
        if (++groups === 2) stop.abort();
      },
    });
    expect(first).toMatchObject({ imported: 4, alreadyPresent: 0 });
    expect(count(db, 'items')).toBe(4);
    const storedBefore = storeFiles(db);
    expect(storedBefore.size).toBe(8);

    const reads = vi.spyOn(ParquetShard.prototype, 'read');
    const second = await importParquet(db, dir, OMNIEDIT);
    expect(second).toMatchObject({ imported: 6, alreadyPresent: 4, skipped: 0 });
    expect(items(db).map((i) => i.external_id)).toEqual([...Array(10).keys()].map((n) => `omni_${String(n).padStart(5, '0')}`));
    // The two finished groups were checked by their ids alone: no image column was read.
    const fullReads = reads.mock.calls.filter(([, columns]) => columns.length > 1).map(([span]) => span.rowStart);
    expect(fullReads).toEqual([4, 0, 2]); // group 4-5 of shard 0, groups 0-1 and 2-3 of shard 1
    // Files stored by the first run were neither rewritten nor duplicated.
    const storedAfter = storeFiles(db);
    expect(storedAfter.size).toBe(20);
    for (const [rel, stat] of storedBefore) expect(storedAfter.get(rel)).toEqual(stat);

    const third = await importParquet(db, dir, OMNIEDIT);
    expect(third).toMatchObject({ imported: 0, alreadyPresent: 10 });
  });

  it('resumes inside a row group: rows already present are not stored again', async () => {
    const file = await hqEditFile([0, 1, 2]);
    const { db } = tempDb();
    await importParquet(db, file, HQEDIT);
    // Lose one item of the middle row, as if its batch had half gone in.
    db.$client.exec(`DELETE FROM instruction_versions WHERE item_id = (SELECT id FROM items WHERE external_id = 'h:1:inverse');
      DELETE FROM candidates WHERE item_id = (SELECT id FROM items WHERE external_id = 'h:1:inverse');
      DELETE FROM items WHERE external_id = 'h:1:inverse';`);
    const again = await importParquet(db, file, HQEDIT);
    expect(again).toMatchObject({ imported: 1, alreadyPresent: 5 });
    expect(count(db, 'items')).toBe(6);
  });
});

async function hqEditFile(ns: number[]): Promise<string> {
  const rows: FixtureRow[] = [];
  for (const n of ns) rows.push(await hqEditRow(n));
  const file = path.join(tempDir(), 'h.parquet');
  await writeParquet(file, HQEDIT_COLUMNS, rows, 3);
  return file;
}

describe('parquet import: bad input', () => {
  it('reports a file that is not parquet, or of another dataset, and imports the rest', async () => {
    const dir = tempDir();
    await omniEditShard(dir, 'b-good.parquet', 0, 3);
    fs.writeFileSync(path.join(dir, 'a-broken.parquet'), 'PAR1 this is not really parquet');
    await writeParquet(path.join(dir, 'c-hqedit.parquet'), HQEDIT_COLUMNS, [await hqEditRow(0)]);
    const { db } = tempDb();
    const summary = await importParquet(db, dir, OMNIEDIT);
    expect(summary).toMatchObject({ files: 3, imported: 3, skipped: 0 });
    expect(summary.problems).toHaveLength(2);
    expect(summary.problems[0]).toMatchObject({ file: 'a-broken.parquet' });
    expect(summary.problems[0].reason).toMatch(/^not a readable parquet file: /);
    expect(summary.problems[1]).toEqual({
      file: 'c-hqedit.parquet',
      reason: 'not a omniedit-parquet shard: missing columns omni_edit_id, task, src_img, edited_img, edited_prompt_list',
    });
  });

  it('reads gzip and brotli shards, and reports a zstd one (no decompressor without a dependency)', async () => {
    const dir = tempDir();
    const rows = [await hqEditRow(0), await hqEditRow(1), await hqEditRow(2)];
    await writeParquet(path.join(dir, 'a.parquet'), HQEDIT_COLUMNS, rows, 2, 'gzip');
    await writeParquet(path.join(dir, 'b.parquet'), HQEDIT_COLUMNS, rows, 2, 'brotli');
    await writeParquet(path.join(dir, 'c.parquet'), HQEDIT_COLUMNS, rows, 2, 'zstd');
    fs.writeFileSync(path.join(dir, 'd.parquet'), '');
    const { db } = tempDb();
    const summary = await importParquet(db, dir, HQEDIT);
    expect(summary).toMatchObject({ imported: 12, skipped: 0 });
    expect(summary.problems).toEqual([
      {
        file: 'c.parquet',
        reason: 'not a readable parquet file: compressed with ZSTD, which Loupe cannot decompress (snappy, gzip and brotli are fine)',
      },
      { file: 'd.parquet', reason: 'not a readable parquet file: too short to be parquet (0 bytes)' },
    ]);
  });

  it('reports a row group that cannot be decoded and imports the others', async () => {
    const file = await omniEditShard(tempDir(), 'torn.parquet', 0, 6); // groups 0-1, 2-3, 4-5
    const shard = await ParquetShard.open(file);
    const chunk = shard.metadata.row_groups[1].columns[0].meta_data!; // omni_edit_id of rows 2-3
    await shard.close();
    const bytes = fs.readFileSync(file);
    bytes.fill(0xff, Number(chunk.dictionary_page_offset ?? chunk.data_page_offset), Number(chunk.data_page_offset) + 8);
    fs.writeFileSync(file, bytes);

    const { db } = tempDb();
    const summary = await importParquet(db, file, OMNIEDIT);
    expect(summary).toMatchObject({ imported: 4, skipped: 0 });
    expect(summary.problems).toHaveLength(1);
    expect(summary.problems[0].reason).toMatch(/^rows 2-3 could not be read: /);
    expect(items(db).map((i) => i.external_id)).toEqual(['omni_00000', 'omni_00001', 'omni_00004', 'omni_00005']);
  });

  it('fails with nothing to import, leaving no empty dataset behind', async () => {
    const empty = tempDir();
    const { db } = tempDb();
    await expect(importParquet(db, empty, OMNIEDIT)).rejects.toThrow(NothingToImportError);
    await expect(importParquet(db, path.join(empty, 'nope'), OMNIEDIT)).rejects.toThrow(/no such file or folder/);
    const hq = path.join(empty, 'hq.parquet');
    await writeParquet(hq, HQEDIT_COLUMNS, [await hqEditRow(0)]);
    await expect(importParquet(db, hq, OMNIEDIT)).rejects.toThrow(/hq.parquet: not a omniedit-parquet shard/);
    expect(count(db, 'datasets')).toBe(0);
  });
});

const REPO = fileURLToPath(new URL('../../..', import.meta.url));

describe('loupe import PATH (parquet)', () => {
  it('detects the format and prints one JSON summary', async () => {
    const dir = tempDir();
    await omniEditShard(dir, 'train-00000-of-00001.parquet', 0, 3);
    const dataDir = tempDir('loupe-cli-data-');
    const result = spawnSync(path.join(REPO, 'node_modules', '.bin', 'tsx'), ['cli/loupe.ts', 'import', dir, '--json'], {
      cwd: REPO,
      env: { ...process.env, LOUPE_DATA_DIR: dataDir },
      encoding: 'utf8',
      timeout: 50_000,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      dataset: 'OmniEdit-Filtered-1.2M',
      format: 'omniedit-parquet',
      files: 1,
      imported: 3,
      problems: [],
    });
    expect(fs.readdirSync(path.join(dataDir, 'images')).length).toBeGreaterThan(0);
  });
});
