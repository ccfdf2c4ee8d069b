import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb } from '@/db';
import { listExports } from '@/lib/export/records';
import { recordVerdict } from '@/lib/review/verdicts';
import { parseStdout, runLoupe } from '@/lib/test/cli';
import { cleanupTemp, copySamples, tempDir } from '@/lib/test/factories';

let dataDir: string;

/** Runs the real CLI against the temporary data folder. */
const loupe = (...args: string[]) => runLoupe(dataDir, args, { USER: 'carol' });
/** stdout must be exactly one JSON object on one line. */
const onlyJson = parseStdout;

const ACCEPTED = ['hqedit_edit_00000001', 'omniedit_style_00000004', 'ultraedit_add_00000010'];

/** Imports the samples with the CLI and accepts a few. */
function reviewed() {
  expect(loupe('import', copySamples(), '--json').code).toBe(0);
  const db = openDb(path.join(dataDir, 'loupe.db'));
  for (const externalId of ACCEPTED) {
    const itemId = db.$client.prepare<[string], number>('SELECT id FROM items WHERE external_id = ?').pluck().get(externalId)!;
    recordVerdict(db, { holder: 'cli-test', reviewer: 'alice' }, { itemId, decision: 'accept' });
  }
  db.$client.close();
}

function exportRows() {
  const db = openDb(path.join(dataDir, 'loupe.db'));
  try {
    return listExports(db);
  } finally {
    db.$client.close();
  }
}

beforeEach(() => {
  dataDir = tempDir('loupe-data-');
});
afterEach(cleanupTemp);

describe('loupe export --format', () => {
  it('writes parquet shards that DuckDB reads, and records the run', async () => {
    reviewed();
    const out = path.join(tempDir(), 'export');
    const run = loupe('export', '--out', out, '--format', 'parquet');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/Exported 3 items \(1 files\) as parquet/);

    const file = path.join(out, 'data/train-00000-of-00001.parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(`SELECT id, octet_length(edited_image.bytes) AS n FROM read_parquet('${file}')`);
      const rows = reader.getRowObjectsJS();
      expect(rows.map((r) => r.id)).toEqual(ACCEPTED);
      expect(rows.every((r) => Number(r.n) > 0)).toBe(true);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }

    expect(exportRows()).toMatchObject([
      { format: 'parquet', outPath: out, items: 3, files: 1, status: 'done', createdBy: 'cli:carol', filter: { status: 'accepted' } },
    ]);
  });

  it('writes webdataset shards of the size asked for and prints one JSON summary', () => {
    reviewed();
    const out = path.join(tempDir(), 'export');
    const run = loupe('export', '--out', out, '--format', 'webdataset', '--status', 'all', '--shard-size-mb', '1', '--json');
    expect(run.code, run.stderr).toBe(0);
    const summary = onlyJson(run.stdout);
    const shards = fs
      .readdirSync(out)
      .filter((f) => f.endsWith('.tar'))
      .sort();
    expect(summary).toMatchObject({ out, format: 'webdataset', items: 12, files: shards.length, skipped: 0, problems: [] });
    expect(shards.length).toBeGreaterThan(2);
    expect(summary.exportId).toBe(exportRows()[0].id);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'webdataset', options: { shardSizeMb: 1 }, counts: { items: 12, files: shards.length } });
  });

  it('refuses an unknown format and a shard size where it does not apply', () => {
    const out = path.join(tempDir(), 'export');
    const unknown = loupe('export', '--out', out, '--format', 'csv');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown format csv \(known: gpt-edit, gpt-image-edit-training, jsonl, parquet, webdataset\)/);
    const misplaced = loupe('export', '--out', out, '--format', 'jsonl', '--shard-size-mb', '5');
    expect(misplaced.code).toBe(1);
    expect(misplaced.stderr).toMatch(/--shard-size-mb applies to parquet and webdataset only/);
    const rangeWithoutSignal = loupe('export', '--out', out, '--signal-min', '5');
    expect(rangeWithoutSignal.code).toBe(1);
    expect(rangeWithoutSignal.stderr).toMatch(/invalid filter: --signal: a signal range needs the signal/);
    const unknownSignal = loupe('export', '--out', out, '--signal', 'beauty');
    expect(unknownSignal.code).toBe(1);
    expect(unknownSignal.stderr).toMatch(/invalid filter: --signal:/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
