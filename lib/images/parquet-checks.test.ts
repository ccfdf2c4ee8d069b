import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { OMNIEDIT_COLUMNS, omniEditRow, writeParquet } from '@/lib/test/parquet-shards';
import { importParquet } from '@/lib/import/parquet/import-parquet';
import { OMNIEDIT } from '@/lib/import/parquet/omniedit';
import { cleanupTemp, SAMPLES_DIR, tempDb, tempDir } from '@/lib/test/factories';
import { bombPng, SVG_WITH_SCRIPT, truncatedJpeg, webpWithWrongRiffSize } from '@/lib/test/images';

afterEach(cleanupTemp);

const SAMPLE = path.join(SAMPLES_DIR, 'omniedit/style/input/00000004.png');

it('embedded parquet images get the same checks: each bad one is reported, its row skipped and nothing of it stored', async () => {
  const dir = tempDir();
  const cell = (bytes: Buffer, name: string) => ({ bytes, path: name });
  const shard = [
    await omniEditRow(0),
    await omniEditRow(1, { src_img: cell(await truncatedJpeg(SAMPLE), 'cut.jpg') }),
    await omniEditRow(2, { edited_img: cell(bombPng(30_000, 30_000), 'bomb.png') }),
    await omniEditRow(3, { src_img: cell(SVG_WITH_SCRIPT, 'script.png') }),
    await omniEditRow(4, { edited_img: cell(await webpWithWrongRiffSize(SAMPLE), 'cut.webp') }),
    await omniEditRow(5),
  ];
  await writeParquet(path.join(dir, 'train.parquet'), OMNIEDIT_COLUMNS, shard, 3);
  const { db, dir: dataDir } = tempDb();
  const summary = await importParquet(db, dir, OMNIEDIT);
  expect(summary.problems).toEqual([
    { file: 'train.parquet', record: 'omni_00001', reason: 'src_img: truncated JPEG (no end-of-image marker)' },
    { file: 'train.parquet', record: 'omni_00002', reason: 'edited_img: image is 30000x30000, over the 100-megapixel limit' },
    { file: 'train.parquet', record: 'omni_00003', reason: 'src_img: SVG is not an accepted image type' },
    { file: 'train.parquet', record: 'omni_00004', reason: expect.stringMatching(/^edited_img: truncated WebP \(its RIFF header says/) },
  ]);
  expect(summary.imported).toBe(2);
  // Only the good rows' images are in the store, each with its identity recorded.
  const rows = db.$client
    .prepare('SELECT i.source_file_id AS s, c.file_id AS c FROM items i JOIN candidates c ON c.item_id = i.id')
    .all() as { s: string; c: string }[];
  expect(rows).toHaveLength(2);
  for (const row of rows) {
    expect(row.s).toMatch(/^\d+:\d+$/);
    expect(row.c).toMatch(/^\d+:\d+$/);
  }
  const stored = fs.readdirSync(path.join(dataDir, 'images'), { recursive: true, encoding: 'utf8' }).filter((f) => f.includes('.'));
  expect(stored.every((f) => f.endsWith('.png'))).toBe(true);
});
