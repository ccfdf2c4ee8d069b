/**
 * Bad input is refused record by record, with a reason naming the record, and the rest of
 * the import proceeds (issue 10, section 2): text, record size, nesting, CSV quotes, and
 * auto-detection of a parquet file with the wrong schema.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { cleanupTemp, gptEditRecord, pngBuffer, tempDb, tempDir, writeGptEditLayout } from '@/lib/test/factories';
import { resolveFormat } from './formats';
import { importGptEdit, NothingToImportError } from './import-gpt-edit';
import { importCsv, importJsonl } from './json-formats/generic';
import { importGptEditTraining } from './json-formats/training';
import { ultraEditColumns, ultraEditRow, writeParquet } from '@/lib/test/parquet-shards';
import { importParquet } from './parquet/import-parquet';
import { ULTRAEDIT } from './parquet/ultraedit';

afterEach(cleanupTemp);

const ids = (db: Db) => db.$client.prepare('SELECT external_id FROM items ORDER BY external_id').pluck().all() as string[];
const instructionOf = (db: Db, id: string) =>
  db.$client
    .prepare('SELECT v.text FROM items i JOIN instruction_versions v ON v.id = i.current_instruction_id WHERE i.external_id = ?')
    .pluck()
    .get(id) as string;

/** `depth` arrays nested in each other: [[[...]]]. */
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('gpt-edit layout: text, size and nesting of each record', () => {
  it('refuses each bad record with its reason and imports all the others', async () => {
    const root = tempDir('loupe-bad-');
    const record = (n: number, overrides: Record<string, unknown> = {}) => gptEditRecord('omniedit', 'style', n, overrides);
    const records = [
      record(0),
      record(1, { deep: '@DEEP@' }),
      record(2, { pad: '@HUGE@' }),
      record(3, { instruction: 'Make\u0000 it red.' }),
      record(4, { instruction: 'Ring \u0007 the bell.' }),
      record(5, { instruction: 'Bad \ud800 text.' }),
      record(6, { instruction: 'Not @BYTES@ UTF-8.' }),
      record(7, { instruction: 'x'.repeat(5000) }),
      record(8, { instruction: 'y'.repeat(5 << 20) }),
      record(9, { input_description: 'A cat\u0000 on a mat.' }),
      record(10, { input_description: 'Two lines:\n\tindented, and a CRLF\r\n.' }),
      record(11, { instruction: 'Lost \uFFFD character.' }),
      record(12, { id: 'bad\u001bid' }),
      record(13),
      record(14, { instruction_type: 'rewrite', instruction_original: 'Old\u0085 one.' }),
    ];
    const { metadataFile } = await writeGptEditLayout(root, records, { family: 'omniedit', task: 'style' });
    // Write the records the JSON writer cannot: a 1,001-deep array, 3 MB of nested arrays, a byte that is not UTF-8.
    const huge = `[${Array.from({ length: 1 << 17 }, () => '[0,0,0,0,0,0,0,0,0,0,0,0,0,0]').join(',')}]`;
    const text = fs.readFileSync(metadataFile, 'latin1').replace('"@DEEP@"', nested(1001)).replace('"@HUGE@"', huge);
    const [before, after] = text.split('@BYTES@');
    fs.writeFileSync(metadataFile, Buffer.concat([Buffer.from(before, 'latin1'), Buffer.from([0xff, 0xc0]), Buffer.from(after, 'latin1')]));

    const { db } = tempDb();
    const summary = await importGptEdit(db, root);

    const file = 'omniedit/style/metadata/omniedit_style.json';
    const id = (n: number) => `omniedit_style_${String(n).padStart(8, '0')}`;
    expect(summary.problems).toEqual([
      { file, record: 1, reason: 'record nests 1002 levels deep, more than the limit of 64' },
      { file, record: 2, reason: expect.stringMatching(/^record is 3\.\d MiB, more than the limit of 1 MiB$/) },
      { file, record: id(3), reason: 'instruction contains a NUL character (at character 5)' },
      { file, record: id(4), reason: 'instruction contains the control character U+0007 (at character 6)' },
      { file, record: id(5), reason: 'instruction contains a lone surrogate U+D800 (at character 5): not valid Unicode text' },
      { file, record: 6, reason: expect.stringMatching(/^not valid UTF-8 \(byte \d+ of the file is not UTF-8 text\)$/) },
      { file, record: id(7), reason: 'instruction is 5000 characters long, more than the limit of 4000' },
      { file, record: 8, reason: 'record is 5.0 MiB, more than the limit of 1 MiB' },
      { file, record: id(9), reason: 'input_description contains a NUL character (at character 6)' },
      {
        file,
        record: id(11),
        reason: 'instruction contains U+FFFD, the replacement character left by bytes that were not text (at character 6)',
      },
      { file, record: 'bad\u001bid', reason: 'id contains the control character U+001B (at character 4)' },
      { file, record: id(14), reason: 'instruction_original contains the control character U+0085 (at character 4)' },
    ]);
    expect(summary).toMatchObject({ imported: 3, skipped: 12 });
    // Descriptions are prose: tab and line breaks are fine there.
    expect(ids(db)).toEqual([id(0), id(10), id(13)]);
  });

  it('honours limits given per import', async () => {
    const root = tempDir('loupe-bad-');
    const records = [
      gptEditRecord('omniedit', 'style', 0, { instruction: 'Make it a bit redder.' }),
      gptEditRecord('omniedit', 'style', 1),
    ];
    await writeGptEditLayout(root, records, { family: 'omniedit', task: 'style' });
    const { db } = tempDb();
    const summary = await importGptEdit(db, root, { limits: { maxInstructionChars: 15 } });
    expect(summary.problems.map((p) => p.reason)).toEqual(['instruction is 21 characters long, more than the limit of 15']);
    expect(summary.imported).toBe(1);
  });
});

describe('jsonl and training json: the same checks', () => {
  it('jsonl: refuses a deep, an oversized, a non-UTF-8 and a control-character line; imports the rest', async () => {
    const dir = tempDir('loupe-bad-');
    fs.mkdirSync(path.join(dir, 'imgs'));
    fs.writeFileSync(path.join(dir, 'imgs/a.png'), await pngBuffer(8, 8));
    const line = (id: string, extra = '') =>
      `{"id":"${id}","source":"imgs/a.png","edited":"imgs/a.png","instruction":"Edit ${id}."${extra}}`;
    const lines = [
      Buffer.from(line('good0') + '\n'),
      Buffer.from(line('deep', `,"x":${nested(1001)}`) + '\n'),
      Buffer.from(line('huge', `,"x":"${'z'.repeat(2 << 20)}"`) + '\n'),
      Buffer.concat([Buffer.from(line('bytes').replace('Edit', 'Edit \u00e9')), Buffer.from('\n')]).fill(0xe9, 85, 86),
      Buffer.from('{"id":"ctl","source":"imgs/a.png","edited":"imgs/a.png","instruction":"Tab\\there"}\n'),
      Buffer.from(line('good1') + '\n'),
    ];
    const file = path.join(dir, 'edits.jsonl');
    fs.writeFileSync(file, Buffer.concat(lines));
    const { db } = tempDb();
    const summary = await importJsonl(db, file);
    expect(summary.problems).toEqual([
      { file: 'edits.jsonl', record: 'edits.jsonl:2', reason: 'record nests 1002 levels deep, more than the limit of 64' },
      { file: 'edits.jsonl', record: 'edits.jsonl:3', reason: 'record is 2.0 MiB, more than the limit of 1 MiB' },
      { file: 'edits.jsonl', record: 'edits.jsonl:4', reason: expect.stringMatching(/^not valid UTF-8/) },
      { file: 'edits.jsonl', record: 'ctl', reason: 'instruction contains the control character U+0009 (at character 4)' },
    ]);
    expect(ids(db)).toEqual(['good0', 'good1']);
  });

  it('training json: a control character in the human turn names the conversations', async () => {
    const root = tempDir('loupe-bad-');
    fs.mkdirSync(path.join(root, 'training_json'));
    fs.mkdirSync(path.join(root, 'imgs'));
    fs.writeFileSync(path.join(root, 'imgs/a.png'), await pngBuffer(8, 8));
    const turn = (value: string) => [
      { from: 'human', value },
      { from: 'gpt', value: '<image>' },
    ];
    const records = [
      { id: 'omniedit_0', image: ['imgs/a.png', 'imgs/a.png'], conversations: turn('<image>\nMake it blue.') },
      { id: 'omniedit_1', image: ['imgs/a.png', 'imgs/a.png'], conversations: turn('<image>\nMake it\u0000 blue.') },
    ];
    fs.writeFileSync(path.join(root, 'training_json/omniedit_gpt.json'), JSON.stringify(records));
    const { db } = tempDb();
    const summary = await importGptEditTraining(db, root);
    expect(summary.problems).toEqual([
      { file: 'training_json/omniedit_gpt.json', record: 'omniedit_1', reason: 'conversations contains a NUL character (at character 8)' },
    ]);
    expect(ids(db)).toEqual(['omniedit_0']);
    expect(instructionOf(db, 'omniedit_0')).toBe('Make it blue.');
  });
});

describe('csv: quotes out of place are errors on their rows', () => {
  async function csvFolder(text: string) {
    const dir = tempDir('loupe-bad-');
    fs.mkdirSync(path.join(dir, 'imgs'));
    fs.writeFileSync(path.join(dir, 'imgs/a.png'), await pngBuffer(8, 8));
    const file = path.join(dir, 'edits.csv');
    fs.writeFileSync(file, text);
    return file;
  }

  it('a quote that closes on a later line no longer swallows the next record: both lines are reported', async () => {
    const file = await csvFolder(
      [
        'id,source,edited,instruction',
        'a,imgs/a.png,imgs/a.png,"Make it red',
        'b,imgs/a.png,imgs/a.png,Make it blue"',
        'c,imgs/a.png,imgs/a.png,Make it green',
        'd,imgs/a.png,imgs/a.png,Make it gold',
        '',
      ].join('\n'),
    );
    const { db } = tempDb();
    const summary = await importCsv(db, file);
    expect(summary.problems).toEqual([
      {
        file: 'edits.csv',
        record: 'edits.csv:2',
        reason: 'line 2: a quoted field (column 4) is not closed on its line; a quoted field cannot span lines',
      },
      {
        file: 'edits.csv',
        record: 'edits.csv:3',
        reason: 'line 3: a quote inside unquoted column 4 (quote the whole field and double the quote)',
      },
    ]);
    expect(summary).toMatchObject({ imported: 2, skipped: 2 });
    expect(ids(db)).toEqual(['c', 'd']);
    // Every row is accounted for: imported or reported.
    expect(summary.imported + summary.skipped).toBe(4);
  });

  it('a quote that opens inside a field is an error on that row', async () => {
    const file = await csvFolder('id,source,edited,instruction\na,imgs/a.png,imgs/a.png,Make it "big\nb,imgs/a.png,imgs/a.png,Fine\n');
    const { db } = tempDb();
    const summary = await importCsv(db, file);
    expect(summary.problems).toEqual([
      {
        file: 'edits.csv',
        record: 'edits.csv:2',
        reason: 'line 2: a quote inside unquoted column 4 (quote the whole field and double the quote)',
      },
    ]);
    expect(ids(db)).toEqual(['b']);
  });
});

describe('parquet: the same text checks, and a clear reason for the wrong schema', () => {
  it('refuses a row whose prompt holds a control character', async () => {
    const dir = tempDir('loupe-bad-');
    await writeParquet(path.join(dir, 'train-00000.parquet'), ultraEditColumns(), [
      await ultraEditRow(0),
      await ultraEditRow(1, { edit_prompt: 'Turn it\u0001 blue.' }),
      await ultraEditRow(2, { source_caption: 'a cat\u0007 on a mat' }),
    ]);
    const { db } = tempDb();
    const summary = await importParquet(db, dir, ULTRAEDIT);
    expect(summary.problems).toEqual([
      { file: 'train-00000.parquet', record: '1001', reason: 'edit_prompt contains the control character U+0001 (at character 8)' },
      { file: 'train-00000.parquet', record: '1002', reason: 'input_description contains the control character U+0007 (at character 6)' },
    ]);
    expect(ids(db)).toEqual(['1000']);
  });

  it('auto-detection names the columns a parquet file lacks, not "no metadata files found"', async () => {
    const dir = tempDir('loupe-bad-');
    const file = path.join(dir, 'shard.parquet');
    await writeParquet(
      file,
      [
        { name: 'omni_edit_id', type: 'VARCHAR' },
        { name: 'prompt', type: 'VARCHAR' },
      ],
      [{ omni_edit_id: 'x', prompt: 'p' }],
    );
    const expected =
      'shard.parquet matches no parquet format: its columns are omni_edit_id, prompt; ' +
      'omniedit-parquet needs task, src_img, edited_img, edited_prompt_list; ' +
      'ultraedit-parquet needs idx, edit_prompt, source_image, edited_image; ' +
      'hqedit-parquet needs input, input_image, edit, inverse_edit, output, output_image';
    await expect(resolveFormat(dir)).rejects.toThrow(new NothingToImportError(expected));
    await expect(resolveFormat(file)).rejects.toThrow(expected);
  });
});
