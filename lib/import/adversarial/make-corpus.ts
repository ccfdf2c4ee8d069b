/**
 * The adversarial corpus: a folder of every kind of bad input Loupe must refuse at import,
 * record by record, mixed with good records (the bundled samples) that must still arrive.
 *
 *   npx tsx lib/import/adversarial/make-corpus.ts OUT_DIR [--big-mb 200]
 *
 * writes OUT_DIR/
 *   gpt-edit/          the released layout: the 12 samples, adversarial/text (bad text,
 *                      oversized and deep records) and adversarial/images (hostile images)
 *   outside/           a real image outside the dataset, the target of a link inside it
 *   jsonl/edits.jsonl  JSON Lines with bad lines      csv/edits.csv  CSV with stray quotes
 *   parquet-wrong-schema/shard.parquet                a shard no parquet format accepts
 *   expected.json      what each import must report (file, record, reason) and import
 *
 * The importer tests (corpus.test.ts) build it in a temporary folder and import it in a
 * child process whose peak memory they measure.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { bombPng, SVG_WITH_SCRIPT, truncatedJpeg, writeSparseFile } from '@/lib/test/images';

const SAMPLES = fileURLToPath(new URL('../../../samples/gpt-edit', import.meta.url));
const SAMPLE_PNG = path.join(SAMPLES, 'omniedit/style/input/00000004.png');
const SAMPLE_PNG_2 = path.join(SAMPLES, 'omniedit/style/output/00000004.png');

/** A reason as written, or a regular expression (for figures that vary, like a byte offset). */
export type ExpectedReason = string | { pattern: string };

export interface ExpectedProblem {
  file: string;
  record?: string | number;
  reason: ExpectedReason;
}

/** One import of the corpus: the path to import and what it must give. */
export interface ExpectedImport {
  path: string;
  /** The format auto-detection must choose, or the error it must give. */
  format?: string;
  error?: ExpectedReason;
  problems?: ExpectedProblem[];
  imported?: string[];
}

export interface Corpus {
  dir: string;
  imports: Record<'gpt-edit' | 'jsonl' | 'csv' | 'parquet', ExpectedImport>;
}

export interface CorpusOptions {
  /** Size of the oversized record of nested arrays (the case: 200 MB). */
  bigMb?: number;
}

const MB = 1 << 20;
const pad8 = (n: number) => String(n).padStart(8, '0');

export async function makeCorpus(dir: string, options: CorpusOptions = {}): Promise<Corpus> {
  const bigMb = options.bigMb ?? 200;
  fs.mkdirSync(dir, { recursive: true });
  const gptEdit = path.join(dir, 'gpt-edit');
  fs.cpSync(SAMPLES, gptEdit, { recursive: true });
  const sampleIds = fs
    .readdirSync(SAMPLES, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => (JSON.parse(fs.readFileSync(path.join(SAMPLES, f), 'utf8')) as { id: string }[]).map((r) => r.id));

  const text = writeTextRecords(path.join(gptEdit, 'adversarial/text'), bigMb);
  const images = await writeImageRecords(path.join(gptEdit, 'adversarial/images'), path.join(dir, 'outside'));
  const corpus: Corpus = {
    dir,
    imports: {
      'gpt-edit': {
        path: 'gpt-edit',
        format: 'gpt-edit',
        // The importer sorts problems by file, then record.
        problems: [...images.problems, ...text.problems],
        imported: [...sampleIds, ...text.good, ...images.good].sort(),
      },
      jsonl: writeJsonl(path.join(dir, 'jsonl')),
      csv: writeCsv(path.join(dir, 'csv')),
      parquet: writeWrongParquet(path.join(dir, 'parquet-wrong-schema')),
    },
  };
  fs.writeFileSync(path.join(dir, 'expected.json'), JSON.stringify(corpus, null, 2) + '\n');
  return corpus;
}

/** A record of the released layout, with its images copied from the samples. */
function layoutRecord(taskDir: string, task: string, n: number, overrides: Record<string, unknown> = {}) {
  const file = `${pad8(n)}.png`;
  for (const [folder, from] of [
    ['input', SAMPLE_PNG],
    ['output', SAMPLE_PNG_2],
  ] as const) {
    fs.mkdirSync(path.join(taskDir, folder), { recursive: true });
    fs.copyFileSync(from, path.join(taskDir, folder, file));
  }
  return {
    id: `adversarial_${task}_${pad8(n)}`,
    dataset_source: 'adversarial',
    task,
    input: `input/${file}`,
    output: `output/${file}`,
    instruction: `Adversarial corpus, good record ${n}.`,
    instruction_type: 'original',
    input_description: `A sample picture, number ${n}.`,
    ...overrides,
  };
}

/**
 * adversarial/text: one JSON array written piece by piece (the oversized record is never
 * in memory), each bad record between good ones.
 */
function writeTextRecords(taskDir: string, bigMb: number) {
  const file = 'adversarial/text/metadata/adversarial_text.json';
  fs.mkdirSync(path.join(taskDir, 'metadata'), { recursive: true });
  const fd = fs.openSync(path.join(taskDir, 'metadata/adversarial_text.json'), 'w');
  const problems: ExpectedProblem[] = [];
  const good: string[] = [];
  let index = 0;
  const write = (bytes: string | Buffer) => fs.writeSync(fd, typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
  /** A record as JSON; `raw` replaces the "@RAW@" string with text JSON.stringify cannot write. */
  const add = (record: Record<string, unknown>, expected?: { byIndex?: boolean; reason: ExpectedReason }, raw?: () => void) => {
    write(index === 0 ? '[\n' : ',\n');
    const json = JSON.stringify(record);
    if (raw) {
      const [before, after] = json.split('"@RAW@"');
      write(before);
      raw();
      write(after);
    } else write(json);
    if (expected) problems.push({ file, record: expected.byIndex ? index : (record.id as string), reason: expected.reason });
    else good.push(record.id as string);
    index++;
  };
  const rec = (n: number, overrides: Record<string, unknown> = {}) => layoutRecord(taskDir, 'text', n, overrides);

  add(rec(0));
  add(rec(1, { instruction: 'Make the\u0000 sky red.' }), { reason: 'instruction contains a NUL character (at character 9)' });
  add(rec(2, { instruction: 'Ring the \u0007 bell.' }), { reason: 'instruction contains the control character U+0007 (at character 10)' });
  add(rec(3, { instruction: 'Half a \ud83d pair.' }), {
    reason: 'instruction contains a lone surrogate U+D83D (at character 8): not valid Unicode text',
  });
  add(
    rec(4, { instruction: '@RAW@' }),
    { byIndex: true, reason: { pattern: '^not valid UTF-8 \\(byte \\d+ of the file is not UTF-8 text\\)$' } },
    () => write(Buffer.concat([Buffer.from('"Latin-1 caf'), Buffer.from([0xe9]), Buffer.from(' au lait"')])),
  );
  add(rec(5, { instruction: 'Lost \uFFFD text.' }), {
    reason: 'instruction contains U+FFFD, the replacement character left by bytes that were not text (at character 6)',
  });
  add(rec(6, { instruction: 'Make it red. '.repeat(400).trim() }), {
    reason: `instruction is ${'Make it red. '.repeat(400).trim().length} characters long, more than the limit of 4000`,
  });
  add(rec(7, { instruction: 'A five megabyte instruction. '.repeat((5 * MB) / 29) }), {
    byIndex: true,
    reason: 'record is 5.0 MiB, more than the limit of 1 MiB',
  });
  add(rec(8, { input_description: 'A cat\u0000 on a mat.' }), { reason: 'input_description contains a NUL character (at character 6)' });
  add(rec(9, { input_description: 'Prose may break lines:\n\tlike this.\r\n' })); // good: descriptions are prose
  add(rec(10, { id: 'adversarial_text_\u001b[31mred' }), { reason: 'id contains the control character U+001B (at character 18)' });
  // 2 KB nested 1,001 deep: SQLite's JSON functions give up at 1,000 and used to abort the whole import.
  add(rec(11, { nested: '@RAW@' }), { byIndex: true, reason: 'record nests 1002 levels deep, more than the limit of 64' }, () =>
    write('['.repeat(1001) + ']'.repeat(1001)),
  );
  add(rec(12));
  // The case: one record holding `bigMb` MB of nested arrays, written 1 MB at a time.
  const row = `[${Array(64).fill('[0,1,2,3,4,5,6,7]').join(',')}]`;
  const block = Array(Math.floor(MB / (row.length + 1)))
    .fill(row)
    .join(',');
  add(
    rec(13, { nested: '@RAW@' }),
    { byIndex: true, reason: { pattern: '^record is \\d+\\.\\d MiB, more than the limit of 1 MiB$' } },
    () => {
      write('[');
      for (let i = 0; i < bigMb; i++) write((i ? ',' : '') + block);
      write(']');
    },
  );
  // Deep and large at once: 20 MB of brackets, 10 million levels.
  add(
    rec(14, { nested: '@RAW@' }),
    {
      byIndex: true,
      reason: 'record is 19.1 MiB, more than the limit of 1 MiB; record nests 10000001 levels deep, more than the limit of 64',
    },
    () => {
      for (let i = 0; i < 10; i++) write('['.repeat(1_000_000));
      for (let i = 0; i < 10; i++) write(']'.repeat(1_000_000));
    },
  );
  add(rec(15));
  write('\n]\n');
  fs.closeSync(fd);
  return { problems, good };
}

/** adversarial/images: records whose images are hostile, and one good record. */
async function writeImageRecords(taskDir: string, outsideDir: string) {
  const file = 'adversarial/images/metadata/adversarial_images.json';
  fs.mkdirSync(path.join(taskDir, 'metadata'), { recursive: true });
  fs.mkdirSync(outsideDir, { recursive: true });
  const outside = path.join(outsideDir, 'secret.png');
  fs.copyFileSync(SAMPLE_PNG, outside); // a real image, but not the dataset's

  const records: Record<string, unknown>[] = [];
  const problems: ExpectedProblem[] = [];
  const good: string[] = [];
  const cases: [string, (file: string) => void | Promise<void>, string][] = [
    ['a truncated JPEG', async (f) => fs.writeFileSync(f, await truncatedJpeg(SAMPLE_PNG)), 'truncated JPEG (no end-of-image marker)'],
    ['a 30000x30000 PNG', (f) => fs.writeFileSync(f, bombPng(30_000, 30_000)), 'image is 30000x30000, over the 100-megapixel limit'],
    ['an SVG with a script named .png', (f) => fs.writeFileSync(f, SVG_WITH_SCRIPT), 'SVG is not an accepted image type'],
    ['a sparse 1 GB file named .png', (f) => writeSparseFile(f, 1024 ** 3), 'not a decodable image'],
    ['a link to /etc/passwd', (f) => fs.symlinkSync('/etc/passwd', f), 'image file leads outside its folder (a link to elsewhere)'],
    [
      'a link to an image outside the dataset',
      (f) => fs.symlinkSync(outside, f),
      'image file leads outside its folder (a link to elsewhere)',
    ],
  ];
  for (const [n, [what, make, reason]] of cases.entries()) {
    const record = layoutRecord(taskDir, 'images', n, { instruction: `The input is ${what}.` });
    const input = path.join(taskDir, record.input);
    fs.rmSync(input);
    await make(input);
    records.push(record);
    problems.push({ file, record: record.id, reason: `input ${record.input}: ${reason}` });
  }
  const last = layoutRecord(taskDir, 'images', cases.length);
  records.push(last);
  good.push(last.id);
  fs.writeFileSync(path.join(taskDir, 'metadata/adversarial_images.json'), JSON.stringify(records, null, 2) + '\n');
  return { problems, good };
}

function copyImages(dir: string) {
  fs.mkdirSync(path.join(dir, 'imgs'), { recursive: true });
  fs.copyFileSync(SAMPLE_PNG, path.join(dir, 'imgs/a.png'));
  fs.copyFileSync(SAMPLE_PNG_2, path.join(dir, 'imgs/b.png'));
}

function writeJsonl(dir: string): ExpectedImport {
  copyImages(dir);
  const line = (id: string, extra = '') =>
    `{"id":"${id}","source":"imgs/a.png","edited":"imgs/b.png","instruction":"Edit ${id}."${extra}}\n`;
  const name = 'edits.jsonl';
  const lines: Buffer[] = [
    Buffer.from(line('good-1')),
    Buffer.from(line('nul', '').replace('Edit nul.', 'Edit\\u0000 nul.')),
    Buffer.concat([Buffer.from(line('latin1').slice(0, -3)), Buffer.from([0xe9]), Buffer.from('"}\n')]),
    Buffer.from(line('deep', `,"x":${'['.repeat(1001)}${']'.repeat(1001)}`)),
    Buffer.from(line('big', `,"x":"${'z'.repeat(2 * MB)}"`)),
    Buffer.from('{"id":"broken", "instruction": \n'),
    Buffer.from(line('good-2')),
  ];
  fs.writeFileSync(path.join(dir, name), Buffer.concat(lines));
  return {
    path: `jsonl/${name}`,
    format: 'jsonl',
    problems: [
      { file: name, record: 'nul', reason: 'instruction contains a NUL character (at character 5)' },
      { file: name, record: `${name}:3`, reason: { pattern: '^not valid UTF-8 \\(byte \\d+ of the file is not UTF-8 text\\)$' } },
      { file: name, record: `${name}:4`, reason: 'record nests 1002 levels deep, more than the limit of 64' },
      { file: name, record: `${name}:5`, reason: 'record is 2.0 MiB, more than the limit of 1 MiB' },
      { file: name, record: `${name}:6`, reason: { pattern: '^not valid JSON: ' } },
    ],
    imported: ['good-1', 'good-2'],
  };
}

function writeCsv(dir: string): ExpectedImport {
  copyImages(dir);
  const name = 'edits.csv';
  const rows = [
    'id,source,edited,instruction',
    'good-1,imgs/a.png,imgs/b.png,"Make it red, then blue"',
    // A quote that closes on a later line: it used to swallow row 4 into this instruction.
    'open,imgs/a.png,imgs/b.png,"Make it red',
    'swallowed,imgs/a.png,imgs/b.png,Make it blue"',
    'inside,imgs/a.png,imgs/b.png,Make it "big',
    'after,imgs/a.png,imgs/b.png,"Make it" big',
    'good-2,imgs/a.png,imgs/b.png,Make it green',
    'ctl,imgs/a.png,imgs/b.png,Make it\u0007 gold',
  ];
  const latin1 = Buffer.concat([Buffer.from('latin1,imgs/a.png,imgs/b.png,Caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
  fs.writeFileSync(
    path.join(dir, name),
    Buffer.concat([Buffer.from(rows.join('\n') + '\n'), latin1, Buffer.from('good-3,imgs/a.png,imgs/b.png,Make it pink\n')]),
  );
  return {
    path: `csv/${name}`,
    format: 'csv',
    problems: [
      {
        file: name,
        record: `${name}:3`,
        reason: 'line 3: a quoted field (column 4) is not closed on its line; a quoted field cannot span lines',
      },
      { file: name, record: `${name}:4`, reason: 'line 4: a quote inside unquoted column 4 (quote the whole field and double the quote)' },
      { file: name, record: `${name}:5`, reason: 'line 5: a quote inside unquoted column 4 (quote the whole field and double the quote)' },
      { file: name, record: `${name}:6`, reason: 'line 6: text after the closing quote of column 4' },
      { file: name, record: 'ctl', reason: 'instruction contains the control character U+0007 (at character 8)' },
      { file: name, record: `${name}:9`, reason: 'line 9: not valid UTF-8' },
    ],
    imported: ['good-1', 'good-2', 'good-3'],
  };
}

function writeWrongParquet(dir: string): ExpectedImport {
  fs.mkdirSync(dir, { recursive: true });
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'omni_edit_id', data: ['a', 'b'], type: 'STRING' },
      { name: 'prompt', data: ['Make it red', 'Make it blue'], type: 'STRING' },
      { name: 'src_img', data: [new Uint8Array([1, 2]), new Uint8Array([3])], type: 'BYTE_ARRAY' },
    ],
  });
  fs.writeFileSync(path.join(dir, 'shard.parquet'), Buffer.from(buffer));
  return {
    path: 'parquet-wrong-schema',
    error:
      'shard.parquet matches no parquet format: its columns are omni_edit_id, prompt, src_img; ' +
      'omniedit-parquet needs task, edited_img, edited_prompt_list; ' +
      'ultraedit-parquet needs idx, edit_prompt, source_image, edited_image; ' +
      'hqedit-parquet needs input, input_image, edit, inverse_edit, output, output_image',
  };
}

// Run as a script: npx tsx lib/import/adversarial/make-corpus.ts OUT_DIR [--big-mb N]
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'big-mb': { type: 'string' } } });
  if (positionals.length !== 1) {
    process.stderr.write('usage: npx tsx lib/import/adversarial/make-corpus.ts OUT_DIR [--big-mb 200]\n');
    process.exit(2);
  }
  const corpus = await makeCorpus(path.resolve(positionals[0]), { bigMb: values['big-mb'] ? Number(values['big-mb']) : undefined });
  process.stdout.write(`adversarial corpus written to ${corpus.dir} (expected results in expected.json)\n`);
}
