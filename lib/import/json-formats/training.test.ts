import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { cleanupTemp, pngBuffer, tempDb, tempDir } from '@/lib/test/factories';
import { resolveFormat } from '../formats';
import { NothingToImportError } from '../import-gpt-edit';
import { importGptEditTraining, stripImageTokens } from './training';

afterEach(cleanupTemp);

const all = <T>(db: Db, sql: string, ...params: unknown[]) => db.$client.prepare(sql).all(...params) as T[];

interface Row {
  external_id: string;
  family: string;
  task: string;
  instruction_type: string;
  source_root: string;
  source_path: string;
  source_width: number;
  source_height: number;
  candidate_root: string;
  candidate_path: string;
  width: number;
  height: number;
  instruction: string;
  metadata: string;
}

/** Every item with its roots, current candidate and current instruction. */
function rows(db: Db): Row[] {
  return all<Row>(
    db,
    `SELECT i.external_id, i.family, i.task, i.instruction_type, sr.path AS source_root, i.source_path, i.source_width,
            i.source_height, cr.path AS candidate_root, c.path AS candidate_path, c.width, c.height, v.text AS instruction, i.metadata
     FROM items i JOIN image_roots sr ON sr.id = i.source_root_id
     JOIN candidates c ON c.id = i.current_candidate_id JOIN image_roots cr ON cr.id = c.root_id
     JOIN instruction_versions v ON v.id = i.current_instruction_id
     ORDER BY i.external_id`,
  );
}

function write(file: string, content: string | Buffer) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

const turn = (from: string, value: string) => ({ from, value });
const conversation = (instruction: string) => [turn('human', `<image>\n${instruction}`), turn('gpt', '<image>')];

/**
 * A training release laid out as the real one: data.txt beside training_json/, listing two
 * annotation files with two image roots (one relative, one absolute), plus a comment, a
 * malformed line and a line naming a missing file.
 */
async function writeRelease() {
  const release = path.join(tempDir('loupe-training-'), 'release');
  const hqRoot = path.join(release, 'data', 'gpt-edit', 'hqedit', 'edit');
  const omniRoot = path.join(release, 'data', 'gpt-edit', 'omniedit');
  const input = await pngBuffer(64, 48);
  const output = await pngBuffer(32, 24, { r: 10, g: 200, b: 90 });
  for (const n of [1, 2, 4]) write(path.join(hqRoot, `input/${n}.png`), input);
  for (const n of [1, 2]) write(path.join(hqRoot, `output/${n}.png`), output);
  write(path.join(hqRoot, 'output/4.png'), 'this is text, not a picture');
  write(path.join(omniRoot, 'addition/input/a.png'), await pngBuffer(40, 30));
  write(path.join(omniRoot, 'addition/output/a.png'), await pngBuffer(20, 16));
  write(path.join(omniRoot, 'removal/input/b.png'), await pngBuffer(50, 50));
  write(path.join(omniRoot, 'removal/output/b.png'), await pngBuffer(25, 25));

  const hqRecords = [
    { image: ['input/1.png', 'output/1.png'], conversations: conversation('Make the sky red.') },
    {
      // Multi-turn: the last human turn is the instruction, tokens and whitespace stripped.
      image: ['input/2.png', 'output/2.png'],
      conversations: [
        turn('human', '<image>\nFirst try.'),
        turn('gpt', '<image>'),
        turn('human', '  Now make it <image> greener.\n'),
        turn('gpt', '<image>'),
      ],
      source: 'hq',
    },
    { image: ['input/1.png', 'output/3.png'], conversations: conversation('Missing output.') },
    { image: ['input/4.png', 'output/4.png'], conversations: conversation('Output is text.') },
    { image: ['/etc/passwd', 'output/1.png'], conversations: conversation('Absolute.') },
    { image: ['../../omniedit/addition/input/a.png', 'output/1.png'], conversations: conversation('Escapes.') },
    { image: ['input/1.png'], conversations: conversation('One image.') },
    { image: ['input/1.png', 'output/1.png'], conversations: [turn('gpt', '<image>')] },
  ];
  const omniRecords = [
    {
      id: 'omni-1',
      image: ['addition/input/a.png', 'addition/output/a.png'],
      conversations: conversation('Add a hat.'),
      extra: { k: [1, 2] },
    },
    { id: 'omni-2', image: ['removal/input/b.png', 'removal/output/b.png'], conversations: conversation('Remove the cup.') },
  ];
  write(path.join(release, 'training_json', 'hqedit_gpt_edit.json'), JSON.stringify(hqRecords, null, 2));
  write(path.join(release, 'training_json', 'omniedit_gpt.json'), JSON.stringify(omniRecords));
  write(
    path.join(release, 'data.txt'),
    [
      'data/gpt-edit/hqedit/edit,training_json/hqedit_gpt_edit.json,false',
      '# a comment',
      `${omniRoot},${path.join(release, 'training_json', 'omniedit_gpt.json')},true`,
      '',
      'just one column',
      'data/gpt-edit/hqedit/edit,training_json/missing.json,false',
    ].join('\n') + '\n',
  );
  return { release, hqRoot, omniRoot, hqRecords, omniRecords };
}

describe('importGptEditTraining: data.txt', () => {
  it('imports every listed annotation file with its image root, reporting bad lines and bad records', async () => {
    const { release, hqRoot, omniRoot, hqRecords, omniRecords } = await writeRelease();
    const { db } = tempDb();
    const summary = await importGptEditTraining(db, path.join(release, 'data.txt'));

    const hq = 'training_json/hqedit_gpt_edit.json';
    expect(summary).toMatchObject({
      dataset: 'release',
      path: path.join(release, 'data.txt'),
      format: 'gpt-edit-training',
      files: 2,
      imported: 4,
      alreadyPresent: 0,
      skipped: 6,
    });
    expect(summary.problems).toEqual([
      { file: 'data.txt', reason: 'line 5: expected <image_root>,<annotation_json>,<need_weight>, found "just one column"' },
      { file: 'data.txt', reason: 'line 6: annotation file not found: training_json/missing.json' },
      { file: hq, record: 'hqedit_gpt_edit.json:2', reason: 'output output/3.png: image file not found' },
      { file: hq, record: 'hqedit_gpt_edit.json:3', reason: 'output output/4.png: not a decodable image' },
      { file: hq, record: 'hqedit_gpt_edit.json:4', reason: 'input: absolute image path not allowed: /etc/passwd' },
      { file: hq, record: 'hqedit_gpt_edit.json:5', reason: 'input: image path escapes its folder: ../../omniedit/addition/input/a.png' },
      { file: hq, record: 'hqedit_gpt_edit.json:6', reason: 'image must be [input, output]: two paths' },
      { file: hq, record: 'hqedit_gpt_edit.json:7', reason: 'no human instruction in conversations' },
    ]);

    const items = rows(db);
    expect(items.map(({ metadata: _m, ...rest }) => rest)).toEqual([
      {
        external_id: 'hqedit_gpt_edit.json:0',
        family: 'hqedit',
        task: 'edit',
        instruction_type: 'original',
        source_root: hqRoot,
        source_path: 'input/1.png',
        source_width: 64,
        source_height: 48,
        candidate_root: hqRoot,
        candidate_path: 'output/1.png',
        width: 32,
        height: 24,
        instruction: 'Make the sky red.',
      },
      expect.objectContaining({ external_id: 'hqedit_gpt_edit.json:1', instruction: 'Now make it greener.', source_path: 'input/2.png' }),
      {
        external_id: 'omni-1',
        family: 'omniedit',
        task: 'default',
        instruction_type: 'original',
        source_root: omniRoot,
        source_path: 'addition/input/a.png',
        source_width: 40,
        source_height: 30,
        candidate_root: omniRoot,
        candidate_path: 'addition/output/a.png',
        width: 20,
        height: 16,
        instruction: 'Add a hat.',
      },
      expect.objectContaining({ external_id: 'omni-2', family: 'omniedit', width: 25, height: 25, instruction: 'Remove the cup.' }),
    ]);
    // The whole record is kept, with data.txt's need_weight.
    expect(JSON.parse(items[0].metadata)).toEqual({ ...hqRecords[0], need_weight: false });
    expect(JSON.parse(items[1].metadata)).toEqual({ ...hqRecords[1], need_weight: false });
    expect(JSON.parse(items[2].metadata)).toEqual({ ...omniRecords[0], need_weight: true });

    // One instruction version per item, counted into item_counts.
    expect(all(db, 'SELECT kind, count(*) AS n FROM instruction_versions GROUP BY kind')).toEqual([{ kind: 'original', n: 4 }]);
    expect(all(db, "SELECT family, task, instruction_type, n FROM item_counts WHERE status = 'pending' ORDER BY family")).toEqual([
      { family: 'hqedit', task: 'edit', instruction_type: 'original', n: 2 },
      { family: 'omniedit', task: 'default', instruction_type: 'original', n: 2 },
    ]);
  });

  it('is idempotent: a second import adds nothing and reports the same problems', async () => {
    const { release } = await writeRelease();
    const { db } = tempDb();
    const first = await importGptEditTraining(db, release); // the folder holding data.txt
    const second = await importGptEditTraining(db, path.join(release, 'data.txt'));
    expect(second).toMatchObject({ dataset: 'release', imported: 0, alreadyPresent: 4, skipped: 6 });
    expect(second.problems).toEqual(first.problems);
    expect(all(db, 'SELECT count(*) AS n FROM items')).toEqual([{ n: 4 }]);
    expect(all(db, 'SELECT count(*) AS n FROM candidates')).toEqual([{ n: 4 }]);
  });

  it('takes the family from the image root, or a record id prefix, when the file name has none', async () => {
    const release = path.join(tempDir('loupe-training-'), 'rel');
    const complexRoot = path.join(release, 'gpt-edit', 'omniedit', 'complex-edit');
    const plainRoot = path.join(release, 'images');
    for (const root of [complexRoot, plainRoot]) {
      write(path.join(root, 'in.png'), await pngBuffer(8, 8));
      write(path.join(root, 'out.png'), await pngBuffer(8, 8));
    }
    const record = (id?: string) => ({ ...(id ? { id } : {}), image: ['in.png', 'out.png'], conversations: conversation('Edit.') });
    write(path.join(release, 'training_json', 'complexedit_gpt.json'), JSON.stringify([record('c1')]));
    write(path.join(release, 'training_json', 'mixed.json'), JSON.stringify([record('ultraedit_000001'), record()]));
    write(
      path.join(release, 'data.txt'),
      'gpt-edit/omniedit/complex-edit,training_json/complexedit_gpt.json,false\nimages,training_json/mixed.json,1\n',
    );
    const { db } = tempDb();
    const summary = await importGptEditTraining(db, path.join(release, 'data.txt'));
    expect(summary).toMatchObject({ imported: 3, skipped: 0, problems: [] });
    expect(rows(db).map((r) => [r.external_id, r.family, r.task, JSON.parse(r.metadata).need_weight])).toEqual([
      ['c1', 'omniedit', 'complexedit', false],
      ['mixed.json:1', 'unknown', 'mixed', 1],
      ['ultraedit_000001', 'ultraedit', 'mixed', 1],
    ]);
  });

  it('refuses a data.txt that lists nothing readable, and leaves no dataset behind', async () => {
    const dir = tempDir('loupe-training-');
    write(path.join(dir, 'data.txt'), 'images,training_json/none.json,false\n');
    const { db } = tempDb();
    await expect(importGptEditTraining(db, path.join(dir, 'data.txt'))).rejects.toThrow(
      new NothingToImportError(
        'data.txt lists no annotation file that can be read (line 1: annotation file not found: training_json/none.json)',
      ),
    );
    expect(all(db, 'SELECT * FROM datasets')).toEqual([]);
  });
});

describe('importGptEditTraining: without data.txt', () => {
  /** release/training_json/ultraedit_sample.json with its images beside training_json/. */
  async function writeBare() {
    const release = path.join(tempDir('loupe-training-'), 'bare');
    write(path.join(release, 'in/1.png'), await pngBuffer(30, 20));
    write(path.join(release, 'out/1.png'), await pngBuffer(15, 10));
    const file = path.join(release, 'training_json', 'ultraedit_sample.json');
    write(file, JSON.stringify([{ image: ['in/1.png', 'out/1.png'], conversations: conversation('Make it night.') }]));
    return { release, file };
  }

  it('imports one annotation file with the folder that holds training_json/ as its image root', async () => {
    const { release, file } = await writeBare();
    const { db } = tempDb();
    const summary = await importGptEditTraining(db, file);
    expect(summary).toMatchObject({ dataset: 'bare', files: 1, imported: 1, skipped: 0, problems: [] });
    const [row] = rows(db);
    expect(row).toMatchObject({
      external_id: 'ultraedit_sample.json:0',
      family: 'ultraedit',
      task: 'sample',
      source_root: release,
      source_width: 30,
      width: 15,
      instruction: 'Make it night.',
    });
    // No data.txt: the record is kept exactly as written.
    expect(row.metadata).toBe(JSON.stringify({ image: ['in/1.png', 'out/1.png'], conversations: conversation('Make it night.') }));

    // The folder, or its training_json folder, lands in the same dataset with the same ids.
    expect(await importGptEditTraining(db, release)).toMatchObject({ dataset: 'bare', imported: 0, alreadyPresent: 1 });
    expect(await importGptEditTraining(db, path.dirname(file))).toMatchObject({ dataset: 'bare', imported: 0, alreadyPresent: 1 });
  });

  it('reports a broken annotation file after the records read before the break', async () => {
    const { release, file } = await writeBare();
    const good = JSON.parse(fs.readFileSync(file, 'utf8'))[0];
    fs.writeFileSync(file, `[${JSON.stringify(good)}, {"image": ["in/1.png"`);
    const { db } = tempDb();
    const summary = await importGptEditTraining(db, release, { dataset: 'named' });
    expect(summary).toMatchObject({ dataset: 'named', imported: 1, skipped: 0 });
    expect(summary.problems).toEqual([
      { file: 'training_json/ultraedit_sample.json', reason: 'not valid JSON: the array is not closed (truncated file?)' },
    ]);
  });
});

describe('gpt-edit-training: auto-detection', () => {
  it('is chosen for data.txt, a folder with data.txt or training_json/, training_json itself and a conversation JSON', async () => {
    const { release } = await writeRelease();
    for (const target of [
      release,
      path.join(release, 'data.txt'),
      path.join(release, 'training_json'),
      path.join(release, 'training_json', 'omniedit_gpt.json'),
    ]) {
      expect((await resolveFormat(target)).name, target).toBe('gpt-edit-training');
    }
    // A JSON file of other records is not training data.
    const other = path.join(tempDir('loupe-training-'), 'other.json');
    write(other, JSON.stringify([{ id: 'x', input: 'a.png', output: 'b.png' }]));
    expect((await resolveFormat(other)).name).not.toBe('gpt-edit-training');
    expect((await resolveFormat(release, 'gpt-edit-training')).name).toBe('gpt-edit-training');
  });
});

describe('stripImageTokens', () => {
  it('removes <image> tokens with the whitespace around them', () => {
    expect(stripImageTokens('<image>\nMake it blue.')).toBe('Make it blue.');
    expect(stripImageTokens('Make it blue.\n<image>')).toBe('Make it blue.');
    expect(stripImageTokens('Put <image> here')).toBe('Put here');
    expect(stripImageTokens('<image>')).toBe('');
  });
});
