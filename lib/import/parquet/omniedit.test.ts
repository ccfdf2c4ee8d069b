import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTemp, pngBuffer, tempDb, tempDir } from '@/lib/test/factories';
import { resolveFormat } from '../formats';
import { colour, omniEditRow, OMNIEDIT_COLUMNS, pngCell, writeParquet, type FixtureRow } from '@/lib/test/parquet-shards';
import { importParquet } from './import-parquet';
import { OMNIEDIT } from './omniedit';
import { candidate, count, imageFile, item, items, storeFiles, versions } from '@/lib/test/queries';

afterEach(cleanupTemp);

async function rows(from: number, to: number): Promise<FixtureRow[]> {
  const made: FixtureRow[] = [];
  for (let n = from; n < to; n++) made.push(await omniEditRow(n));
  return made;
}

/** Two shards in a HF-like folder: 5 rows (row groups 2+2+1) and 3 rows. */
async function twoShards(): Promise<string> {
  const dir = path.join(tempDir('loupe-omniedit-'), 'data');
  fs.mkdirSync(dir);
  await writeParquet(path.join(dir, 'train-00000-of-00002.parquet'), OMNIEDIT_COLUMNS, await rows(0, 5));
  await writeParquet(path.join(dir, 'train-00001-of-00002.parquet'), OMNIEDIT_COLUMNS, await rows(5, 8));
  return dir;
}

describe('omniedit-parquet', () => {
  it('imports every row of a folder of shards: items, versions, candidates, sizes from the bytes, the record', async () => {
    const dir = await twoShards();
    const { db } = tempDb();
    const summary = await importParquet(db, dir, OMNIEDIT);
    expect(summary).toMatchObject({
      dataset: 'OmniEdit-Filtered-1.2M',
      format: 'omniedit-parquet',
      files: 2,
      imported: 8,
      alreadyPresent: 0,
      skipped: 0,
      problems: [],
    });
    expect(items(db).map((i) => i.external_id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((n) => `omni_0000${n}`));

    const it3 = item(db, 'omni_00003');
    expect(it3).toMatchObject({
      family: 'omniedit',
      task: 'object_removal',
      instruction_type: 'original',
      source_width: 64,
      source_height: 48,
    });
    // The source is the stored PNG, byte for byte.
    const expectedSource = await pngBuffer(64, 48, colour(3));
    expect(fs.readFileSync(imageFile(db, it3.source_root_id, it3.source_path)).equals(expectedSource)).toBe(true);
    expect(it3.source_path).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{64}\.png$/);

    const edit = candidate(db, it3.current_candidate_id);
    expect(edit).toMatchObject({ item_id: it3.id, origin: 'dataset', width: 32, height: 24 });
    expect(fs.existsSync(imageFile(db, edit.root_id, edit.path))).toBe(true);

    // Every prompt is an original version; the first prompt is the current one.
    const texts = versions(db, it3.id);
    expect(texts.map((v) => v.kind)).toEqual(['original', 'original']);
    expect(texts.find((v) => v.id === it3.current_instruction_id)!.text).toBe('Make picture 3 warmer.');
    expect(texts.map((v) => v.text).sort()).toEqual(['Make picture 3 warmer.', 'Warm up picture 3.']);

    // Everything but the image bytes is kept; images as their HF path and sha256.
    const record = JSON.parse(it3.metadata);
    expect(record).toMatchObject({
      omni_edit_id: 'omni_00003',
      task: 'object_removal',
      edited_prompt_list: ['Make picture 3 warmer.', 'Warm up picture 3.'],
      width: 64,
      height: 48,
      sc_score_1: 8,
      sc_score_2: 7.5,
      sc_reasoning: 'reasoning 3',
      pq_score: 9,
      pq_reasoning: 'sharp',
      o_score: 10.25,
      src_img: { path: 'src_3.png', sha256: path.basename(it3.source_path, '.png') },
      edited_img: { path: 'edit_3.png', sha256: path.basename(edit.path, '.png') },
      parquet: { file: 'train-00000-of-00002.parquet', row: 3 },
    });
    expect(it3.metadata).not.toContain('bytes');

    const counts = db.$client.prepare("SELECT task, n FROM item_counts WHERE family = 'omniedit' ORDER BY task").all();
    expect(counts).toEqual([
      { task: 'object_removal', n: 4 },
      { task: 'style', n: 4 },
    ]);
  });

  it('writes identical image bytes once to the store', async () => {
    const dir = tempDir();
    const same = await pngCell(10, 10, 'same.png', { r: 1, g: 2, b: 3 });
    const shard = [
      await omniEditRow(0, { src_img: same }),
      await omniEditRow(1, { src_img: same, edited_img: { ...same!, path: 'other-name.png' } }),
      await omniEditRow(2),
    ];
    await writeParquet(path.join(dir, 'train.parquet'), OMNIEDIT_COLUMNS, shard);
    const { db } = tempDb();
    await importParquet(db, dir, OMNIEDIT);

    const [a, b] = [item(db, 'omni_00000'), item(db, 'omni_00001')];
    expect(a.source_path).toBe(b.source_path);
    expect(candidate(db, b.current_candidate_id).path).toBe(a.source_path);
    // 3 sources + 3 edits, of which 3 are the same bytes: 4 files.
    expect(storeFiles(db).size).toBe(4);
    expect(JSON.parse(b.metadata).edited_img.path).toBe('other-name.png');
  });

  it('reports and skips rows with a broken image, no id or no prompt; the rest imports', async () => {
    const dir = tempDir();
    const shard = [
      await omniEditRow(0),
      await omniEditRow(1, { src_img: { bytes: Buffer.from('this is not a png'), path: 'broken.png' } }),
      await omniEditRow(2, { edited_img: { bytes: null, path: 'remote/edit_2.png' } }),
      await omniEditRow(3, { edited_img: null }),
      await omniEditRow(4, { omni_edit_id: null }),
      await omniEditRow(5, { edited_prompt_list: [] }),
      await omniEditRow(6, { edited_prompt_list: null }),
      await omniEditRow(7, { edited_prompt_list: ['  ', 'Only this one.'] }),
    ];
    await writeParquet(path.join(dir, 'train.parquet'), OMNIEDIT_COLUMNS, shard, 3);
    const { db } = tempDb();
    const summary = await importParquet(db, dir, OMNIEDIT);
    expect(summary.problems).toEqual([
      { file: 'train.parquet', record: 'omni_00001', reason: 'src_img: not a decodable image' },
      { file: 'train.parquet', record: 'omni_00002', reason: 'edited_img: no embedded image bytes (path remote/edit_2.png)' },
      { file: 'train.parquet', record: 'omni_00003', reason: 'edited_img: no image' },
      { file: 'train.parquet', record: 4, reason: 'no id (omni_edit_id is empty)' },
      { file: 'train.parquet', record: 'omni_00005', reason: 'edited_prompt_list has no prompt' },
      { file: 'train.parquet', record: 'omni_00006', reason: 'edited_prompt_list has no prompt' },
    ]);
    expect(summary).toMatchObject({ imported: 2, skipped: 6 });
    expect(items(db).map((i) => i.external_id)).toEqual(['omni_00000', 'omni_00007']);
    expect(versions(db, item(db, 'omni_00007').id).map((v) => v.text)).toEqual(['Only this one.']);
    // A rejected row stores none of its images, not even the good ones.
    expect(storeFiles(db).size).toBe(4);
    const run = db.$client.prepare('SELECT skipped, problems FROM import_runs').get() as { skipped: number; problems: string };
    expect(run.skipped).toBe(6);
    expect(JSON.parse(run.problems)).toEqual(summary.problems);
  });

  it('is detected from the parquet schema, for a shard and for a folder', async () => {
    const dir = await twoShards();
    expect((await resolveFormat(dir)).name).toBe('omniedit-parquet');
    expect((await resolveFormat(path.join(dir, 'train-00001-of-00002.parquet'))).name).toBe('omniedit-parquet');
    expect((await resolveFormat(path.dirname(dir))).name).toBe('omniedit-parquet'); // the repo root above data/
  });

  it('is idempotent: a second import adds nothing and rewrites no image', async () => {
    const dir = await twoShards();
    const { db } = tempDb();
    await importParquet(db, dir, OMNIEDIT);
    const files = storeFiles(db);
    const again = await importParquet(db, path.join(dir, 'train-00001-of-00002.parquet'), OMNIEDIT);
    expect(again).toMatchObject({ imported: 0, alreadyPresent: 3, skipped: 0, files: 1 });
    const all = await importParquet(db, dir, OMNIEDIT);
    expect(all).toMatchObject({ imported: 0, alreadyPresent: 8 });
    expect(count(db, 'items')).toBe(8);
    expect(count(db, 'instruction_versions')).toBe(16);
    expect(count(db, 'candidates')).toBe(8);
    expect(storeFiles(db)).toEqual(files);
  });
});
