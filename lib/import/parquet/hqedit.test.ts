import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTemp, pngBuffer, tempDb, tempDir } from '@/lib/test/factories';
import { resolveFormat } from '../formats';
import { colour, hqEditRow, HQEDIT_COLUMNS, writeParquet, type FixtureRow } from '@/lib/test/parquet-shards';
import { HQEDIT } from './hqedit';
import { importParquet } from './import-parquet';
import { candidate, count, imageFile, item, items, storeFiles, versions } from '@/lib/test/queries';

afterEach(cleanupTemp);

const SHARD = 'train-00000-of-00001';

async function shard(rows: FixtureRow[], rowGroupSize = 2): Promise<string> {
  const file = path.join(tempDir('loupe-hqedit-'), `${SHARD}.parquet`);
  await writeParquet(file, HQEDIT_COLUMNS, rows, rowGroupSize);
  return file;
}

describe('hqedit-parquet', () => {
  it('makes two items of each row: the edit and its inverse, with the images swapped', async () => {
    const file = await shard([await hqEditRow(0), await hqEditRow(1), await hqEditRow(2)]);
    const { db } = tempDb();
    const summary = await importParquet(db, file, HQEDIT);
    expect(summary).toMatchObject({ dataset: 'HQ-Edit', format: 'hqedit-parquet', files: 1, imported: 6, skipped: 0, problems: [] });
    expect(items(db).map((i) => i.external_id)).toEqual([0, 1, 2].flatMap((n) => [`${SHARD}:${n}:edit`, `${SHARD}:${n}:inverse`]));

    const edit = item(db, `${SHARD}:1:edit`);
    const inverse = item(db, `${SHARD}:1:inverse`);
    expect(edit).toMatchObject({ family: 'hqedit', task: 'edit', instruction_type: 'original', source_width: 40, source_height: 30 });
    expect(inverse).toMatchObject({ family: 'hqedit', task: 'inverse_edit', source_width: 20, source_height: 16 });
    expect(versions(db, edit.id)).toMatchObject([{ kind: 'original', text: 'Paint house 1 blue.' }]);
    expect(versions(db, inverse.id)).toMatchObject([{ kind: 'original', text: 'Paint house 1 red.' }]);

    // One stored file per image: the inverse's source is the edit's output and vice versa.
    const editOutput = candidate(db, edit.current_candidate_id);
    const inverseOutput = candidate(db, inverse.current_candidate_id);
    expect(inverse.source_path).toBe(editOutput.path);
    expect(inverseOutput.path).toBe(edit.source_path);
    expect(inverseOutput).toMatchObject({ width: 40, height: 30 });
    expect(fs.readFileSync(imageFile(db, edit.source_root_id, edit.source_path)).equals(await pngBuffer(40, 30, colour(1)))).toBe(true);
    expect(storeFiles(db).size).toBe(6);

    expect(JSON.parse(edit.metadata)).toMatchObject({
      input: 'A red house number 1.',
      edit: 'Paint house 1 blue.',
      inverse_edit: 'Paint house 1 red.',
      output: 'A blue house number 1.',
      input_image: { path: 'in_1.png', sha256: path.basename(edit.source_path, '.png') },
      output_image: { path: 'out_1.png', sha256: path.basename(editOutput.path, '.png') },
      input_description: 'A red house number 1.',
      direction: 'edit',
      parquet: { file: `${SHARD}.parquet`, row: 1 },
    });
    expect(JSON.parse(inverse.metadata)).toMatchObject({ input_description: 'A blue house number 1.', direction: 'inverse' });
  });

  it('skips only the direction without an instruction, and both when an image is broken', async () => {
    const file = await shard([
      await hqEditRow(0, { inverse_edit: null }),
      await hqEditRow(1, { output_image: { bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47]), path: 'cut.png' } }),
      await hqEditRow(2, { edit: '' }),
    ]);
    const { db } = tempDb();
    const summary = await importParquet(db, file, HQEDIT);
    expect(summary.problems).toEqual([
      { file: `${SHARD}.parquet`, record: `${SHARD}:0:inverse`, reason: 'missing inverse_edit' },
      { file: `${SHARD}.parquet`, record: `${SHARD}:1:edit`, reason: 'output_image: not a decodable image' },
      { file: `${SHARD}.parquet`, record: `${SHARD}:1:inverse`, reason: 'output_image: not a decodable image' },
      { file: `${SHARD}.parquet`, record: `${SHARD}:2:edit`, reason: 'missing edit' },
    ]);
    expect(items(db).map((i) => i.external_id)).toEqual([`${SHARD}:0:edit`, `${SHARD}:2:inverse`]);

    // Re-running reports the same rows again and adds nothing.
    const again = await importParquet(db, file, HQEDIT);
    expect(again).toMatchObject({ imported: 0, alreadyPresent: 2, skipped: 4 });
    expect(count(db, 'items')).toBe(2);
  });

  it('is detected from the parquet schema', async () => {
    const file = await shard([await hqEditRow(0)]);
    expect((await resolveFormat(file)).name).toBe('hqedit-parquet');
    expect((await resolveFormat(path.dirname(file))).name).toBe('hqedit-parquet');
  });
});
