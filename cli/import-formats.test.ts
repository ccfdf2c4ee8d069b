import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { parseStdout, runLoupe } from '@/lib/test/cli';
import { cleanupTemp, pngBuffer, tempDir } from '@/lib/test/factories';

afterEach(cleanupTemp);

/** Runs the real CLI with its own data folder. */
const loupe = (dataDir: string, ...args: string[]) => runLoupe(dataDir, args);

function query(dataDir: string, sql: string): unknown[] {
  const sqlite = new Database(path.join(dataDir, 'loupe.db'), { readonly: true });
  try {
    return sqlite.prepare(sql).all();
  } finally {
    sqlite.close();
  }
}

function write(file: string, content: string | Buffer) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

describe('loupe import: more formats', () => {
  it('auto-detects a training JSON file and imports it with the folder above training_json/ as image root', async () => {
    const release = path.join(tempDir('loupe-cli-training-'), 'release');
    write(path.join(release, 'input/1.png'), await pngBuffer(64, 48));
    write(path.join(release, 'output/1.png'), await pngBuffer(32, 24));
    const file = path.join(release, 'training_json', 'hqedit_gpt_edit.json');
    const conversations = [
      { from: 'human', value: '<image>\nMake the sky red.' },
      { from: 'gpt', value: '<image>' },
    ];
    write(
      file,
      JSON.stringify([
        { id: 'hq-1', image: ['input/1.png', 'output/1.png'], conversations },
        { id: 'hq-2', image: ['input/2.png', 'output/2.png'], conversations },
      ]),
    );
    const dataDir = tempDir('loupe-cli-data-');

    const first = loupe(dataDir, 'import', file, '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(parseStdout(first.stdout)).toMatchObject({
      dataset: 'release',
      path: file,
      format: 'gpt-edit-training',
      files: 1,
      imported: 1,
      alreadyPresent: 0,
      skipped: 1,
      problems: [{ file: 'hqedit_gpt_edit.json', record: 'hq-2', reason: 'input input/2.png: image file not found' }],
    });
    expect(query(dataDir, 'SELECT external_id, family, task, source_width FROM items')).toEqual([
      { external_id: 'hq-1', family: 'hqedit', task: 'edit', source_width: 64 },
    ]);

    const second = loupe(dataDir, 'import', file, '--json');
    expect(second.code, second.stderr).toBe(0);
    expect(parseStdout(second.stdout)).toMatchObject({ format: 'gpt-edit-training', imported: 0, alreadyPresent: 1, skipped: 1 });
  });

  it('imports a CSV with --format csv and a column mapping', async () => {
    const dir = tempDir('loupe-cli-csv-');
    write(path.join(dir, 'imgs/a.png'), await pngBuffer(40, 30));
    write(path.join(dir, 'imgs/b.png'), await pngBuffer(20, 15));
    // Not named .csv: --format says what it is.
    const file = path.join(dir, 'pairs.data');
    write(file, 'before,after,what\nimgs/a.png,imgs/b.png,"Make it red, please"\nimgs/a.png,/etc/passwd,Absolute\n');
    const dataDir = tempDir('loupe-cli-data-');

    const result = loupe(
      dataDir,
      'import',
      file,
      '--format',
      'csv',
      '--json',
      '--source-col',
      'before',
      '--edited-col',
      'after',
      '--instruction-col',
      'what',
      '--dataset',
      'pairs',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(parseStdout(result.stdout)).toMatchObject({
      dataset: 'pairs',
      format: 'csv',
      files: 1,
      imported: 1,
      skipped: 1,
      problems: [{ file: 'pairs.data', record: 'pairs.data:3', reason: 'after: absolute image path not allowed: /etc/passwd' }],
    });
    const items = query(
      dataDir,
      'SELECT i.external_id, i.family, v.text FROM items i JOIN instruction_versions v ON v.id = i.current_instruction_id',
    );
    expect(items).toEqual([{ external_id: 'pairs.data:2', family: 'generic', text: 'Make it red, please' }]);
  });

  it('exits non-zero with one JSON error when the CSV lacks the mapped columns', async () => {
    const dir = tempDir('loupe-cli-csv-');
    const file = path.join(dir, 'edits.csv');
    write(file, 'source,edited,instruction\na.png,b.png,hi\n');
    const result = loupe(tempDir('loupe-cli-data-'), 'import', file, '--json', '--source-col', 'before');
    expect(result.code).toBe(1);
    expect(parseStdout(result.stdout)).toEqual({ error: expect.stringContaining('the header has no column for source (before)') });
  });
});
