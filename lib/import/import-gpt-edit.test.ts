import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { cleanupTemp, copySamples, gptEditRecord, tempDb, tempDir, writeGptEditLayout } from '@/lib/test/factories';
import { importGptEdit, NothingToImportError } from './import-gpt-edit';

afterEach(cleanupTemp);

interface ItemRow {
  id: number;
  dataset_id: number;
  external_id: string;
  family: string;
  task: string;
  instruction_type: string;
  source_root_id: number;
  source_path: string;
  source_width: number;
  source_height: number;
  metadata: string;
  status: string;
  current_instruction_id: number;
  current_candidate_id: number;
}

const all = <T>(db: Db, sql: string, ...params: unknown[]) => db.$client.prepare(sql).all(...params) as T[];
const count = (db: Db, table: string) => db.$client.prepare(`select count(*) from ${table}`).pluck().get() as number;

function items(db: Db): ItemRow[] {
  return all<ItemRow>(db, 'select * from items order by external_id');
}

/** Every record of every metadata file (JSON arrays) under a folder, by id. */
function recordsUnder(dir: string): Map<string, Record<string, unknown>> {
  const byId = new Map<string, Record<string, unknown>>();
  for (const file of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.json')) continue;
    for (const record of JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))) byId.set(record.id, record);
  }
  return byId;
}

function rootPath(db: Db, id: number): string {
  return db.$client.prepare('select path from image_roots where id = ?').pluck().get(id) as string;
}

function instructionVersions(db: Db, externalId: string) {
  return all<{ id: number; kind: string; text: string; created_by: string | null }>(
    db,
    `select v.id, v.kind, v.text, v.created_by from instruction_versions v join items i on i.id = v.item_id
     where i.external_id = ? order by v.id`,
    externalId,
  );
}

describe('importGptEdit: the bundled samples', () => {
  it('imports the 12 triplets with their real image sizes, instructions and full metadata', async () => {
    const root = copySamples();
    const { db } = tempDb();
    const summary = await importGptEdit(db, root);

    expect(summary).toMatchObject({
      dataset: 'gpt-edit',
      path: root,
      format: 'gpt-edit',
      files: 11,
      imported: 12,
      alreadyPresent: 0,
      skipped: 0,
      problems: [],
    });
    const records = recordsUnder(root);
    expect(records.size).toBe(12);

    const rows = items(db);
    expect(rows.map((r) => r.external_id).sort()).toEqual([...records.keys()].sort());
    for (const row of rows) {
      const record = records.get(row.external_id)!;
      expect(row.dataset_id).toBe(summary.datasetId);
      expect(row.status).toBe('pending');
      expect({ family: row.family, task: row.task, type: row.instruction_type, source: row.source_path }).toEqual({
        family: record.dataset_source,
        task: record.task,
        type: record.instruction_type,
        source: record.input,
      });
      // Image paths are stored relative to the task folder.
      const taskDir = rootPath(db, row.source_root_id);
      expect(taskDir).toBe(path.join(root, record.dataset_source as string, record.task as string));

      const input = await sharp(path.join(taskDir, row.source_path)).metadata();
      expect([row.source_width, row.source_height]).toEqual([input.width, input.height]);

      const candidates = all<{
        id: number;
        origin: string;
        root_id: number;
        path: string;
        width: number;
        height: number;
        provenance: string;
      }>(db, 'select * from candidates where item_id = ?', row.id);
      expect(candidates).toHaveLength(1);
      const [candidate] = candidates;
      expect(candidate).toMatchObject({
        id: row.current_candidate_id,
        origin: 'dataset',
        root_id: row.source_root_id,
        path: record.output,
      });
      expect(JSON.parse(candidate.provenance)).toEqual({ importRun: summary.importRunId });
      const output = await sharp(path.join(taskDir, candidate.path)).metadata();
      expect([candidate.width, candidate.height]).toEqual([output.width, output.height]);

      // Every field of the record is kept, including the ones Loupe does not use.
      expect(JSON.parse(row.metadata)).toEqual(record);
    }
    // The sample images are not all the same size, so the check above is not vacuous.
    expect(new Set(rows.map((r) => `${r.source_width}x${r.source_height}`)).size).toBeGreaterThan(2);

    const run = db.$client.prepare('select * from import_runs where id = ?').get(summary.importRunId) as Record<string, unknown>;
    expect(run).toMatchObject({
      dataset_id: summary.datasetId,
      path: root,
      format: 'gpt-edit',
      imported: 12,
      already_present: 0,
      skipped: 0,
      problems: '[]',
    });
    expect(run.finished_at).toEqual(expect.any(Number));
  });

  it('keeps the original and the rewritten instruction of the rewritten OmniEdit style record', async () => {
    const root = copySamples();
    const { db } = tempDb();
    await importGptEdit(db, root);

    const versions = instructionVersions(db, 'omniedit_style_00000004');
    expect(versions.map(({ kind, text, created_by }) => ({ kind, text, created_by }))).toEqual([
      { kind: 'original', text: 'Make it a pop art piece.', created_by: null },
      { kind: 'rewrite', text: 'Apply a posterized pop-art look with bold, saturated flat colors.', created_by: null },
    ]);
    const style = items(db).find((r) => r.external_id === 'omniedit_style_00000004')!;
    expect(style.instruction_type).toBe('rewrite');
    expect(style.current_instruction_id).toBe(versions[1].id);

    // Every other item has one version, of its own type, and it is the current one.
    for (const row of items(db).filter((r) => r.external_id !== 'omniedit_style_00000004')) {
      const [only, ...more] = instructionVersions(db, row.external_id);
      expect(more).toEqual([]);
      expect(only.kind).toBe(row.instruction_type);
      expect(only.text).toBe(JSON.parse(row.metadata).instruction);
      expect(row.current_instruction_id).toBe(only.id);
    }
    expect(count(db, 'instruction_versions')).toBe(13);
  });

  it('is idempotent: a second import counts every record as already present', async () => {
    const root = copySamples();
    const { db } = tempDb();
    const first = await importGptEdit(db, root);
    const second = await importGptEdit(db, root);

    expect(second).toMatchObject({
      dataset: 'gpt-edit',
      datasetId: first.datasetId,
      imported: 0,
      alreadyPresent: 12,
      skipped: 0,
      problems: [],
    });
    expect(second.importRunId).not.toBe(first.importRunId);
    expect(count(db, 'items')).toBe(12);
    expect(count(db, 'instruction_versions')).toBe(13);
    expect(count(db, 'candidates')).toBe(12);
    expect(count(db, 'datasets')).toBe(1);
  });

  it('puts a folder inside the layout, or one metadata file, into the same default dataset as the root', async () => {
    const root = copySamples();
    const { db } = tempDb();

    const family = await importGptEdit(db, path.join(root, 'omniedit'));
    expect(family).toMatchObject({ dataset: 'gpt-edit', files: 5, imported: 5 });

    const inputFolder = await importGptEdit(db, path.join(root, 'hqedit', 'edit', 'input'));
    expect(inputFolder).toMatchObject({ dataset: 'gpt-edit', datasetId: family.datasetId, files: 1, imported: 2 });

    const metadataFolder = await importGptEdit(db, path.join(root, 'hqedit', 'generate', 'metadata'));
    expect(metadataFolder).toMatchObject({ dataset: 'gpt-edit', datasetId: family.datasetId, files: 1, imported: 1 });

    const oneFile = await importGptEdit(db, path.join(root, 'ultraedit', 'add', 'metadata', 'ultraedit_add.json'));
    expect(oneFile).toMatchObject({ dataset: 'gpt-edit', datasetId: family.datasetId, files: 1, imported: 1 });

    const whole = await importGptEdit(db, root);
    expect(whole).toMatchObject({ dataset: 'gpt-edit', datasetId: family.datasetId, imported: 3, alreadyPresent: 9, skipped: 0 });
    expect(count(db, 'datasets')).toBe(1);
    expect(count(db, 'items')).toBe(12);
    // One image root per task folder, whatever path it was reached from.
    expect(count(db, 'image_roots')).toBe(11);
  });

  it('imports into the dataset given by name, separately from the default one', async () => {
    const root = copySamples();
    const { db } = tempDb();
    const named = await importGptEdit(db, root, { dataset: 'mine' });
    const byDefault = await importGptEdit(db, root);
    expect(named).toMatchObject({ dataset: 'mine', imported: 12 });
    expect(byDefault).toMatchObject({ dataset: 'gpt-edit', imported: 12, alreadyPresent: 0 });
    expect(byDefault.datasetId).not.toBe(named.datasetId);
    expect(count(db, 'items')).toBe(24);
  });

  it('keeps item_counts equal to counting the items table', async () => {
    const root = copySamples();
    const { db } = tempDb();
    const fromItems = () =>
      all(db, 'select family, task, status, count(*) as n from items group by family, task, status order by family, task, status');
    const fromCounts = () =>
      all(
        db,
        `select family, task, status, sum(n) as n from item_counts group by family, task, status having sum(n) > 0
         order by family, task, status`,
      );

    await importGptEdit(db, path.join(root, 'omniedit'));
    expect(fromCounts()).toEqual(fromItems());
    await importGptEdit(db, root);
    await importGptEdit(db, root);
    expect(fromItems()).toHaveLength(11);
    expect(fromCounts()).toEqual(fromItems());
    expect(db.$client.prepare('select sum(n) from item_counts').pluck().get()).toBe(12);

    // Per instruction type too.
    const byType = (table: 'items' | 'item_counts') =>
      all(
        db,
        `select instruction_type, ${table === 'items' ? 'count(*)' : 'sum(n)'} as n from ${table} group by instruction_type order by 1`,
      );
    expect(byType('item_counts')).toEqual(byType('items'));
    expect(byType('items')).toEqual([
      { instruction_type: 'complex', n: 1 },
      { instruction_type: 'original', n: 10 },
      { instruction_type: 'rewrite', n: 1 },
    ]);
  });
});

describe('importGptEdit: layouts made by the tests', () => {
  it('reads JSON Lines metadata', async () => {
    const root = path.join(tempDir(), 'my-data');
    const records = [
      gptEditRecord('omniedit', 'style', 1),
      gptEditRecord('omniedit', 'style', 2, {
        instruction_type: 'rewrite',
        instruction: 'Paint it in flat pop-art colours.',
        instruction_original: 'Pop art.',
      }),
      gptEditRecord('omniedit', 'style', 3, { extra: { nested: ['kept', 1] } }),
    ];
    await writeGptEditLayout(root, records, { family: 'omniedit', task: 'style', format: 'jsonl', inputSize: { width: 40, height: 30 } });
    const { db } = tempDb();
    const summary = await importGptEdit(db, root);

    expect(summary).toMatchObject({ dataset: 'my-data', files: 1, imported: 3, skipped: 0, problems: [] });
    const rows = items(db);
    expect(rows.map((r) => JSON.parse(r.metadata))).toEqual(records);
    expect(rows.map((r) => [r.source_width, r.source_height])).toEqual([
      [40, 30],
      [40, 30],
      [40, 30],
    ]);
    const candidates = all<{ width: number; height: number }>(db, 'select width, height from candidates');
    expect(candidates).toEqual(Array(3).fill({ width: 32, height: 24 }));
    expect(instructionVersions(db, 'omniedit_style_00000002').map((v) => [v.kind, v.text])).toEqual([
      ['original', 'Pop art.'],
      ['rewrite', 'Paint it in flat pop-art colours.'],
    ]);
  });

  it('keeps the first of two records with the same id', async () => {
    const root = path.join(tempDir(), 'dupes');
    await writeGptEditLayout(
      root,
      [gptEditRecord('hqedit', 'edit', 1), gptEditRecord('hqedit', 'edit', 1, { instruction: 'A second record, same id.' })],
      { family: 'hqedit', task: 'edit' },
    );
    const { db } = tempDb();
    const summary = await importGptEdit(db, root);
    expect(summary).toMatchObject({ imported: 1, alreadyPresent: 1, skipped: 0 });
    expect(JSON.parse(items(db)[0].metadata).instruction).toBe('Edit number 1.');
    expect(count(db, 'instruction_versions')).toBe(1);
    expect(count(db, 'candidates')).toBe(1);
  });

  it('reports every kind of bad input with file, record and reason, and imports the good records', async () => {
    const root = path.join(tempDir(), 'gpt-edit');
    const r = (n: number, overrides: Record<string, unknown> = {}) => gptEditRecord('omniedit', 'removal', n, overrides);

    // One JSON array with good records among bad ones.
    const removal = await writeGptEditLayout(
      root,
      [
        r(1),
        r(2, { instruction: undefined }),
        r(3, { input: '/etc/passwd.png' }),
        r(4, { output: '../../x.png' }),
        r(5), // its input image is left out below
        r(6), // its output image is overwritten with text below
        r(7),
        r(8, { id: undefined }),
        r(9, { instruction_type: 'improved' }),
        r(10, { input: 'input/../../../outside.png' }),
      ],
      { family: 'omniedit', task: 'removal', omitImages: ['input/00000005.png'] },
    );
    fs.writeFileSync(path.join(removal.taskDir, 'output', '00000006.png'), 'this is text, not a PNG\n');
    // Nothing was written outside the task folder by the fixture.
    expect(fs.existsSync(path.join(root, 'x.png'))).toBe(false);

    // A task folder with a good metadata file and one that is not JSON.
    const add = await writeGptEditLayout(root, [gptEditRecord('ultraedit', 'add', 11)], { family: 'ultraedit', task: 'add' });
    fs.writeFileSync(path.join(add.taskDir, 'metadata', 'broken.json'), 'id,input,output\n1,a.png,b.png\n');

    // JSON Lines with a line that is not JSON and a line that is not an object.
    const edit = await writeGptEditLayout(root, [gptEditRecord('hqedit', 'edit', 21), gptEditRecord('hqedit', 'edit', 23)], {
      family: 'hqedit',
      task: 'edit',
      format: 'jsonl',
    });
    const [line21, line23] = fs.readFileSync(edit.metadataFile, 'utf8').trim().split('\n');
    fs.writeFileSync(edit.metadataFile, [line21, '{"id": "hqedit_edit_00000022", "input": ', line23, '[1, 2]', '"text"'].join('\n') + '\n');

    // A truncated JSON array.
    const color = await writeGptEditLayout(
      root,
      [31, 32, 33].map((n) => gptEditRecord('ultraedit', 'change_color', n)),
      { family: 'ultraedit', task: 'change_color' },
    );
    const full = fs.readFileSync(color.metadataFile, 'utf8');
    fs.writeFileSync(color.metadataFile, full.slice(0, full.indexOf('"ultraedit_change_color_00000033"') + 10));

    const { db } = tempDb();
    const summary = await importGptEdit(db, root);

    const removalFile = 'omniedit/removal/metadata/omniedit_removal.json';
    const editFile = 'hqedit/edit/metadata/hqedit_edit.jsonl';
    // Task folders in path order, metadata files in name order, records in file order.
    expect(summary.problems).toEqual([
      { file: editFile, record: 1, reason: expect.stringMatching(/^not valid JSON/) },
      { file: editFile, record: 3, reason: 'record is not a JSON object' },
      { file: editFile, record: 4, reason: 'record is not a JSON object' },
      { file: removalFile, record: 'omniedit_removal_00000002', reason: 'missing required field: instruction' },
      { file: removalFile, record: 'omniedit_removal_00000003', reason: 'input: absolute image path not allowed: /etc/passwd.png' },
      { file: removalFile, record: 'omniedit_removal_00000004', reason: 'output: image path escapes its folder: ../../x.png' },
      { file: removalFile, record: 'omniedit_removal_00000005', reason: 'input input/00000005.png: image file not found' },
      { file: removalFile, record: 'omniedit_removal_00000006', reason: 'output output/00000006.png: not a decodable image' },
      { file: removalFile, record: 7, reason: 'missing required field: id' },
      {
        file: removalFile,
        record: 'omniedit_removal_00000009',
        reason: 'instruction_type must be original, rewrite or complex (got "improved")',
      },
      {
        file: removalFile,
        record: 'omniedit_removal_00000010',
        reason: 'input: image path escapes its folder: input/../../../outside.png',
      },
      { file: 'ultraedit/add/metadata/broken.json', reason: expect.stringMatching(/^not valid JSON/) },
      {
        file: 'ultraedit/change_color/metadata/ultraedit_change_color.json',
        reason: 'not valid JSON: the array is not closed (truncated file?)',
      },
    ]);
    // File-level problems carry no record.
    expect(summary.problems.filter((p) => !('record' in p) || p.record === undefined)).toHaveLength(2);

    expect(summary).toMatchObject({ dataset: 'gpt-edit', files: 5, imported: 7, alreadyPresent: 0, skipped: 11 });
    expect(items(db).map((i) => i.external_id)).toEqual([
      'hqedit_edit_00000021',
      'hqedit_edit_00000023',
      'omniedit_removal_00000001',
      'omniedit_removal_00000007',
      'ultraedit_add_00000011',
      'ultraedit_change_color_00000031',
      'ultraedit_change_color_00000032',
    ]);
    expect(count(db, 'candidates')).toBe(7);
    expect(count(db, 'instruction_versions')).toBe(7);

    const run = db.$client.prepare('select skipped, imported, problems from import_runs where id = ?').get(summary.importRunId) as {
      skipped: number;
      imported: number;
      problems: string;
    };
    expect(run).toMatchObject({ skipped: 11, imported: 7 });
    expect(JSON.parse(run.problems)).toEqual(JSON.parse(JSON.stringify(summary.problems)));

    // Fixed data imports on a second run; the records already imported are not repeated.
    fs.writeFileSync(
      path.join(removal.taskDir, 'output', '00000006.png'),
      fs.readFileSync(path.join(removal.taskDir, 'output', '00000001.png')),
    );
    const again = await importGptEdit(db, path.join(root, 'omniedit'));
    expect(again).toMatchObject({ imported: 1, alreadyPresent: 2, skipped: 7 });
  });

  it('names problem files relative to the imported path', async () => {
    const root = path.join(tempDir(), 'gpt-edit');
    await writeGptEditLayout(root, [gptEditRecord('omniedit', 'env', 1), gptEditRecord('omniedit', 'env', 2, { task: '' })], {
      family: 'omniedit',
      task: 'env',
    });
    const { db } = tempDb();
    const fromTask = await importGptEdit(db, path.join(root, 'omniedit', 'env'));
    expect(fromTask.problems).toEqual([
      { file: 'metadata/omniedit_env.json', record: 'omniedit_env_00000002', reason: 'missing required field: task' },
    ]);
    const fromFile = await importGptEdit(db, path.join(root, 'omniedit', 'env', 'metadata', 'omniedit_env.json'));
    expect(fromFile.problems).toEqual([
      { file: 'omniedit_env.json', record: 'omniedit_env_00000002', reason: 'missing required field: task' },
    ]);
  });
});

describe('importGptEdit: nothing to import', () => {
  it('throws NothingToImportError for a path that does not exist', async () => {
    const { db } = tempDb();
    await expect(importGptEdit(db, path.join(tempDir(), 'no-such-folder'))).rejects.toThrow(NothingToImportError);
    expect(count(db, 'datasets')).toBe(0);
  });

  it('throws NothingToImportError for a folder with no metadata', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'omniedit', 'style', 'input'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'omniedit', 'style', 'notes.txt'), 'no metadata here');
    const { db } = tempDb();
    await expect(importGptEdit(db, dir)).rejects.toThrow(NothingToImportError);
    await expect(importGptEdit(db, dir)).rejects.toThrow(/no metadata files found/);
    // A metadata folder without .json/.jsonl files is no better.
    fs.mkdirSync(path.join(dir, 'omniedit', 'style', 'metadata'));
    fs.writeFileSync(path.join(dir, 'omniedit', 'style', 'metadata', 'README.md'), '# nothing');
    await expect(importGptEdit(db, dir)).rejects.toThrow(NothingToImportError);
    expect(count(db, 'items')).toBe(0);
  });

  it('throws NothingToImportError when no metadata file can be read, naming the reasons', async () => {
    const root = path.join(tempDir(), 'gpt-edit');
    const { metadataFile } = await writeGptEditLayout(root, [gptEditRecord('omniedit', 'env', 1)], { family: 'omniedit', task: 'env' });
    fs.writeFileSync(metadataFile, '');
    const { db } = tempDb();
    await expect(importGptEdit(db, root)).rejects.toThrow(NothingToImportError);
    await expect(importGptEdit(db, root)).rejects.toThrow(/omniedit\/env\/metadata\/omniedit_env\.json: empty file/);
    // The failed import leaves no empty dataset behind.
    expect(db.$client.prepare('SELECT count(*) FROM datasets').pluck().get()).toBe(0);
  });
});
