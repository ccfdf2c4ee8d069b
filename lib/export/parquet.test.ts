import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { cleanupTemp, gptEditRecord, tempDb, tempDir, writeGptEditLayout } from '@/lib/test/factories';
import { exportParquet, HUGGINGFACE_METADATA } from './parquet';
import { ACCEPTED, chosenImages, EDITED_SKY, expectIdenticalExports, expectManifest, listFiles, reviewedSamples } from '@/lib/test/export';

afterEach(cleanupTemp);

/** Runs one query in a fresh in-memory DuckDB: an independent reader of the files. */
async function duckdb(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

describe('exportParquet', () => {
  it('writes the accepted triplets with embedded images that DuckDB reads back, and the datasets features', async () => {
    const { db } = await reviewedSamples();
    const out = path.join(tempDir(), 'export');
    const summary = await exportParquet(db, { out });
    expect(summary).toMatchObject({ format: 'parquet', items: 5, files: 1, skipped: 0 });
    expect(listFiles(out)).toEqual(['data/train-00000-of-00001.parquet', 'manifest.json']);
    expect(expectManifest(out, 'parquet', { items: 5, files: 1 }).options).toEqual({ shardSizeMb: 1024 });

    const file = path.join(out, 'data/train-00000-of-00001.parquet');
    const rows = await duckdb(
      `SELECT id, dataset, family, task, instruction, instruction_type, instruction_original,
              source_image.bytes AS source_bytes, source_image.path AS source_path,
              edited_image.bytes AS edited_bytes, edited_image.path AS edited_path, metadata, verdict, candidate
       FROM read_parquet(${quote(file)})`,
    );
    expect(rows.map((r) => r.id)).toEqual(ACCEPTED);
    for (const row of rows) {
      const chosen = chosenImages(db, row.id as string);
      expect(Buffer.from(row.source_bytes as Uint8Array).equals(chosen.source), `${row.id} source`).toBe(true);
      expect(Buffer.from(row.edited_bytes as Uint8Array).equals(chosen.edited), `${row.id} edited`).toBe(true);
    }
    const env = rows.find((r) => r.id === 'omniedit_env_00000005')!;
    expect(env).toMatchObject({
      dataset: 'gpt-edit',
      family: 'omniedit',
      task: 'env',
      instruction: EDITED_SKY,
      instruction_type: 'rewrite',
      instruction_original: 'Give the sky the warm orange glow of a sunset.',
      source_path: 'omniedit/env/input/00000005.png',
      edited_path: 'omniedit/env/output/00000005.png',
    });
    expect(JSON.parse(env.metadata as string)).toMatchObject({ dataset_source: 'omniedit', input_description: expect.any(String) });
    expect(JSON.parse(env.verdict as string)).toMatchObject({ decision: 'accept', reviewer: 'alice', reasons: [] });
    expect(JSON.parse(env.candidate as string)).toMatchObject({ origin: 'dataset', simulated: false });
    expect(rows.find((r) => r.id === 'hqedit_edit_00000001')!.instruction_original).toBeNull();

    // The features `datasets` reads: the image columns load as Image, not as structs.
    const [kv] = await duckdb(`SELECT decode(value) AS value FROM parquet_kv_metadata(${quote(file)}) WHERE decode(key) = 'huggingface'`);
    const features = JSON.parse(kv.value as string).info.features;
    expect(kv.value).toBe(HUGGINGFACE_METADATA);
    expect(features.source_image).toEqual({ _type: 'Image' });
    expect(features.edited_image).toEqual({ _type: 'Image' });
    expect(features.instruction).toEqual({ dtype: 'string', _type: 'Value' });
    const schema = await duckdb(`SELECT name, type FROM parquet_schema(${quote(file)}) WHERE name IN ('bytes', 'path')`);
    expect(schema).toEqual([
      { name: 'bytes', type: 'BYTE_ARRAY' },
      { name: 'path', type: 'BYTE_ARRAY' },
      { name: 'bytes', type: 'BYTE_ARRAY' },
      { name: 'path', type: 'BYTE_ARRAY' },
    ]);
  });

  it('splits rows into row groups of at most 100 rows and shards of bounded size', async () => {
    const { db } = await reviewedSamples();
    const out = path.join(tempDir(), 'export');
    // The samples' image pairs take 9 KB to 890 KB: a few items per 1 MB shard.
    const summary = await exportParquet(db, { out, status: 'all', shardSizeMb: 1 });
    const shards = listFiles(out).filter((f) => f.endsWith('.parquet'));
    expect(shards.length).toBeGreaterThan(2);
    expect(summary.files).toBe(shards.length);
    expect(shards).toEqual(
      shards.map((_, i) => `data/train-${String(i).padStart(5, '0')}-of-${String(shards.length).padStart(5, '0')}.parquet`),
    );
    for (const shard of shards) expect(fs.statSync(path.join(out, shard)).size).toBeLessThanOrEqual(1024 * 1024);

    const glob = quote(path.join(out, 'data/*.parquet'));
    const ids = await duckdb(`SELECT id FROM read_parquet(${glob}, filename = true) ORDER BY filename, file_row_number`);
    expect(ids).toHaveLength(12);
    const groups = await duckdb(
      `SELECT file_name, row_group_id, any_value(row_group_num_rows) AS n FROM parquet_metadata(${glob}) GROUP BY ALL`,
    );
    expect(groups.every((g) => Number(g.n) >= 1 && Number(g.n) <= 100)).toBe(true);
    expect(groups.length).toBeGreaterThanOrEqual(shards.length);
  });

  it('closes a row group at 100 rows', async () => {
    const { db } = tempDb();
    const root = path.join(tempDir(), 'layout');
    const records = Array.from({ length: 250 }, (_, i) => gptEditRecord('fam', 'task', i + 1));
    await writeGptEditLayout(root, records, {
      family: 'fam',
      task: 'task',
      inputSize: { width: 8, height: 8 },
      outputSize: { width: 8, height: 8 },
    });
    await importGptEdit(db, root);
    const out = path.join(tempDir(), 'export');
    expect((await exportParquet(db, { out, status: 'all' })).items).toBe(250);
    const file = quote(path.join(out, 'data/train-00000-of-00001.parquet'));
    const groups = await duckdb(
      `SELECT row_group_id, any_value(row_group_num_rows)::INTEGER AS n FROM parquet_metadata(${file}) GROUP BY ALL ORDER BY row_group_id`,
    );
    expect(groups.map((g) => g.n)).toEqual([100, 100, 50]);
    const ids = await duckdb(`SELECT id FROM read_parquet(${file})`);
    expect(ids.map((r) => r.id)).toEqual(records.map((r) => r.id));
  });

  it('writes byte-identical shards when the same filter is exported twice', async () => {
    const { db } = await reviewedSamples();
    const first = path.join(tempDir(), 'one');
    const second = path.join(tempDir(), 'two');
    await exportParquet(db, { out: first, status: 'all', shardSizeMb: 1 });
    await exportParquet(db, { out: second, status: 'all', shardSizeMb: 1 });
    expect(listFiles(first).length).toBeGreaterThan(2);
    expectIdenticalExports(first, second);
  });

  it('writes one empty shard when nothing matches, and leaves out an item whose image is missing', async () => {
    const { db, samples } = await reviewedSamples();
    const out = path.join(tempDir(), 'export');
    await exportParquet(db, { out, family: 'nothing-here' });
    const file = quote(path.join(out, 'data/train-00000-of-00001.parquet'));
    expect(await duckdb(`SELECT count(*)::INTEGER AS n FROM read_parquet(${file})`)).toEqual([{ n: 0 }]);

    fs.rmSync(path.join(samples, 'hqedit/edit/output/00000001.png'));
    const summary = await exportParquet(db, { out });
    expect(summary).toMatchObject({
      items: 4,
      skipped: 1,
      problems: [{ item: 'hqedit_edit_00000001', reason: expect.stringMatching(/output image not found/) }],
    });
    expect(await duckdb(`SELECT count(*)::INTEGER AS n FROM read_parquet(${file})`)).toEqual([{ n: 4 }]);
  });
});
