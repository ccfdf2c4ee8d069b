import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTemp, pngBuffer, tempDb, tempDir } from '@/lib/test/factories';
import { resolveFormat } from '../formats';
import { pngCell, ultraEditColumns, ultraEditRow, writeParquet, type FixtureColumn } from '@/lib/test/parquet-shards';
import { importParquet } from './import-parquet';
import { ULTRAEDIT } from './ultraedit';
import { candidate, imageFile, item, items, storeFiles, versions } from '@/lib/test/queries';

afterEach(cleanupTemp);

describe('ultraedit-parquet', () => {
  it('imports rows with their scores, captions and masks (null, "null" or missing bytes: no mask)', async () => {
    const dir = tempDir('loupe-ultraedit-');
    await writeParquet(path.join(dir, 'train-00000.parquet'), ultraEditColumns(), [
      await ultraEditRow(0),
      await ultraEditRow(1, { mask_image: null, edit_object: null }),
      await ultraEditRow(2, { mask_image: { bytes: null, path: 'null' } }),
      await ultraEditRow(3),
    ]);
    // A shard whose mask_image column is text, 'null' throughout (and so is edit_object).
    await writeParquet(path.join(dir, 'train-00001.parquet'), ultraEditColumns('VARCHAR'), [
      await ultraEditRow(4, { mask_image: 'null', edit_object: 'null' }),
      await ultraEditRow(5, { mask_image: null }),
    ]);
    const { db } = tempDb();
    const summary = await importParquet(db, dir, ULTRAEDIT);
    expect(summary).toMatchObject({ dataset: 'UltraEdit', format: 'ultraedit-parquet', files: 2, imported: 6, problems: [] });
    expect(items(db).map((i) => i.external_id)).toEqual(['1000', '1001', '1002', '1003', '1004', '1005']);

    const first = item(db, '1000');
    expect(first).toMatchObject({
      family: 'ultraedit',
      task: 'default',
      instruction_type: 'original',
      source_width: 48,
      source_height: 48,
    });
    expect(versions(db, first.id)).toMatchObject([{ kind: 'original', text: 'Turn cat 0 into a dog.' }]);
    expect(candidate(db, first.current_candidate_id)).toMatchObject({ width: 48, height: 48, origin: 'dataset' });
    const record = JSON.parse(first.metadata);
    expect(record).toMatchObject({
      idx: 1000,
      clip_sim_source: 0.25,
      clip_sim_target: 0.3,
      clip_sim_dir: 0.2,
      clip_sim_image: 0.9,
      dinov2_sim: 0.8,
      ssim: 0.7,
      source_caption: 'a cat on mat 0',
      target_caption: 'a dog on mat 0',
      edit_prompt: 'Turn cat 0 into a dog.',
      edit_object: 'cat',
      input_description: 'a cat on mat 0',
      source_image: { path: 's_0.png' },
      mask_image: { path: 'm_0.png' },
      mask: { rootId: first.source_root_id, width: 48, height: 48 },
    });
    // The mask is a stored image: white, 48x48, one file for the identical masks of rows 0 and 3.
    const maskFile = imageFile(db, record.mask.rootId, record.mask.path);
    expect(fs.readFileSync(maskFile).equals(await pngBuffer(48, 48, { r: 255, g: 255, b: 255 }))).toBe(true);
    expect(JSON.parse(item(db, '1003').metadata).mask.path).toBe(record.mask.path);
    expect(storeFiles(db).size).toBe(6 * 2 + 1);

    expect(JSON.parse(item(db, '1001').metadata)).not.toHaveProperty('mask');
    expect(JSON.parse(item(db, '1001').metadata).edit_object).toBeNull();
    expect(JSON.parse(item(db, '1002').metadata)).not.toHaveProperty('mask');
    expect(JSON.parse(item(db, '1004').metadata)).toMatchObject({ mask_image: 'null', edit_object: 'null' });
    expect(JSON.parse(item(db, '1004').metadata)).not.toHaveProperty('mask');
  });

  it('takes the task from a task column when the shard has one', async () => {
    const dir = tempDir();
    const columns: FixtureColumn[] = [...ultraEditColumns(), { name: 'task', type: 'VARCHAR' }];
    await writeParquet(path.join(dir, 'freeform.parquet'), columns, [await ultraEditRow(0, { task: 'freeform' }), await ultraEditRow(1)]);
    const { db } = tempDb();
    await importParquet(db, dir, ULTRAEDIT);
    expect(item(db, '1000').task).toBe('freeform');
    expect(item(db, '1001').task).toBe('default'); // a null task
  });

  it('reports a row whose mask or edited image is not an image, and one with no prompt', async () => {
    const dir = tempDir();
    await writeParquet(path.join(dir, 'train.parquet'), ultraEditColumns(), [
      await ultraEditRow(0, { mask_image: { bytes: Buffer.from('GIF89a?'), path: 'mask.gif' } }),
      await ultraEditRow(1, { edited_image: { bytes: Buffer.alloc(0), path: null } }),
      await ultraEditRow(2, { edit_prompt: null }),
      await ultraEditRow(3, { idx: null }),
      await ultraEditRow(4, { source_image: await pngCell(30, 20, 'wide.png') }),
    ]);
    const { db } = tempDb();
    const summary = await importParquet(db, dir, ULTRAEDIT);
    expect(summary.problems).toEqual([
      { file: 'train.parquet', record: '1000', reason: 'mask_image: truncated GIF (its header ends early)' },
      { file: 'train.parquet', record: '1001', reason: 'edited_image: no embedded image bytes' },
      { file: 'train.parquet', record: '1002', reason: 'missing edit_prompt' },
      { file: 'train.parquet', record: 3, reason: 'no id (idx is empty)' },
    ]);
    expect(items(db).map((i) => [i.external_id, i.source_width, i.source_height])).toEqual([['1004', 30, 20]]);
  });

  it('is detected from the parquet schema', async () => {
    const dir = tempDir();
    await writeParquet(path.join(dir, 'train.parquet'), ultraEditColumns(), [await ultraEditRow(0)]);
    expect((await resolveFormat(dir)).name).toBe('ultraedit-parquet');
  });
});
