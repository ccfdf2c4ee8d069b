/**
 * Test fixtures: small parquet shards in the exact schemas of the Hugging Face releases of
 * OmniEdit-Filtered-1.2M, HQ-Edit and UltraEdit, written by DuckDB (an implementation other
 * than the hyparquet reader under test), with real PNG bytes in `STRUCT(bytes BLOB, path
 * VARCHAR)` image columns, several row groups and the `huggingface` schema metadata.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { pngBuffer } from '@/lib/test/factories';

/** A column of a fixture shard: its DuckDB type, and its Hugging Face feature. */
export interface FixtureColumn {
  name: string;
  type: 'VARCHAR' | 'DOUBLE' | 'BIGINT' | 'VARCHAR[]' | 'IMAGE';
}

/** An image cell: a Hugging Face {bytes, path} struct (either may be null), or null. */
export type ImageCell = { bytes: Buffer | null; path: string | null } | null;

export type FixtureValue = string | number | bigint | null | string[] | ImageCell;
export type FixtureRow = Record<string, FixtureValue>;

const IMAGE_TYPE = 'STRUCT(bytes BLOB, path VARCHAR)';

function feature(type: FixtureColumn['type']): unknown {
  switch (type) {
    case 'IMAGE':
      return { _type: 'Image' };
    case 'VARCHAR':
      return { dtype: 'string', _type: 'Value' };
    case 'DOUBLE':
      return { dtype: 'float64', _type: 'Value' };
    case 'BIGINT':
      return { dtype: 'int64', _type: 'Value' };
    case 'VARCHAR[]':
      return { feature: { dtype: 'string', _type: 'Value' }, _type: 'Sequence' };
  }
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

function literal(value: FixtureValue | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  const bytes = value.bytes === null ? 'NULL' : `from_hex('${value.bytes.toString('hex')}')`;
  return `{'bytes': ${bytes}, 'path': ${literal(value.path)}}`;
}

/**
 * Writes `rows` to a parquet file with DuckDB: `rowGroupSize` rows per row group (DuckDB
 * starts a row group per input chunk, so one SELECT per group joined by UNION ALL, on one
 * thread to keep the order), and the `huggingface` key-value metadata HF writes. HF's own
 * shards are snappy-compressed (pyarrow's default), as is DuckDB's.
 */
export async function writeParquet(
  file: string,
  columns: FixtureColumn[],
  rows: FixtureRow[],
  rowGroupSize = 2,
  compression: 'snappy' | 'gzip' | 'brotli' | 'zstd' | 'uncompressed' = 'snappy',
) {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run('SET threads = 1');
    const types = columns.map((c) => `"${c.name}" ${c.type === 'IMAGE' ? IMAGE_TYPE : c.type}`);
    await connection.run(`CREATE TABLE t (_n INTEGER, ${types.join(', ')})`);
    for (const [n, row] of rows.entries()) {
      await connection.run(`INSERT INTO t VALUES (${n}, ${columns.map((c) => literal(row[c.name])).join(', ')})`);
    }
    const groups: string[] = [];
    for (let start = 0; start < Math.max(rows.length, 1); start += rowGroupSize) {
      groups.push(`SELECT * EXCLUDE (_n) FROM t WHERE _n >= ${start} AND _n < ${start + rowGroupSize}`);
    }
    const hf = JSON.stringify({ info: { features: Object.fromEntries(columns.map((c) => [c.name, feature(c.type)])) } });
    await connection.run(
      `COPY (${groups.join(' UNION ALL ')}) TO ${quote(file)} (FORMAT parquet, COMPRESSION ${compression}, ROW_GROUP_SIZE ${rowGroupSize}, KV_METADATA {huggingface: ${quote(hf)}})`,
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A real PNG as a Hugging Face image cell. */
export async function pngCell(width: number, height: number, path: string, colour = { r: 200, g: 120, b: 40 }): Promise<ImageCell> {
  return { bytes: await pngBuffer(width, height, colour), path };
}

/** A distinct colour per n, so images of different rows differ (and so do their hashes). */
export function colour(n: number) {
  return { r: (n * 40) % 256, g: (n * 90 + 30) % 256, b: (n * 150 + 60) % 256 };
}

export const OMNIEDIT_COLUMNS: FixtureColumn[] = [
  { name: 'omni_edit_id', type: 'VARCHAR' },
  { name: 'task', type: 'VARCHAR' },
  { name: 'src_img', type: 'IMAGE' },
  { name: 'edited_img', type: 'IMAGE' },
  { name: 'edited_prompt_list', type: 'VARCHAR[]' },
  { name: 'width', type: 'BIGINT' },
  { name: 'height', type: 'BIGINT' },
  { name: 'sc_score_1', type: 'DOUBLE' },
  { name: 'sc_score_2', type: 'DOUBLE' },
  { name: 'sc_reasoning', type: 'VARCHAR' },
  { name: 'pq_score', type: 'DOUBLE' },
  { name: 'pq_reasoning', type: 'VARCHAR' },
  { name: 'o_score', type: 'DOUBLE' },
];

/** An OmniEdit row: a 64x48 source and a 32x24 edit (distinct per n); `overrides` replace fields. */
export async function omniEditRow(n: number, overrides: FixtureRow = {}): Promise<FixtureRow> {
  return {
    omni_edit_id: `omni_${String(n).padStart(5, '0')}`,
    task: n % 2 ? 'object_removal' : 'style',
    src_img: await pngCell(64, 48, `src_${n}.png`, colour(n)),
    edited_img: await pngCell(32, 24, `edit_${n}.png`, colour(n + 100)),
    edited_prompt_list: [`Make picture ${n} warmer.`, `Warm up picture ${n}.`],
    width: 64,
    height: 48,
    sc_score_1: 8,
    sc_score_2: 7.5,
    sc_reasoning: `reasoning ${n}`,
    pq_score: 9,
    pq_reasoning: 'sharp',
    o_score: 7.25 + n,
    ...overrides,
  };
}

export const HQEDIT_COLUMNS: FixtureColumn[] = [
  { name: 'input', type: 'VARCHAR' },
  { name: 'input_image', type: 'IMAGE' },
  { name: 'edit', type: 'VARCHAR' },
  { name: 'inverse_edit', type: 'VARCHAR' },
  { name: 'output', type: 'VARCHAR' },
  { name: 'output_image', type: 'IMAGE' },
];

/** An HQ-Edit row: a 40x30 input and a 20x16 output (distinct per n). */
export async function hqEditRow(n: number, overrides: FixtureRow = {}): Promise<FixtureRow> {
  return {
    input: `A red house number ${n}.`,
    input_image: await pngCell(40, 30, `in_${n}.png`, colour(n)),
    edit: `Paint house ${n} blue.`,
    inverse_edit: `Paint house ${n} red.`,
    output: `A blue house number ${n}.`,
    output_image: await pngCell(20, 16, `out_${n}.png`, colour(n + 100)),
    ...overrides,
  };
}

/** UltraEdit's columns; `maskType: 'VARCHAR'` makes a shard whose mask_image is text ('null'). */
export function ultraEditColumns(maskType: 'IMAGE' | 'VARCHAR' = 'IMAGE'): FixtureColumn[] {
  return [
    { name: 'clip_sim_source', type: 'DOUBLE' },
    { name: 'clip_sim_target', type: 'DOUBLE' },
    { name: 'clip_sim_dir', type: 'DOUBLE' },
    { name: 'clip_sim_image', type: 'DOUBLE' },
    { name: 'dinov2_sim', type: 'DOUBLE' },
    { name: 'ssim', type: 'DOUBLE' },
    { name: 'source_caption', type: 'VARCHAR' },
    { name: 'target_caption', type: 'VARCHAR' },
    { name: 'idx', type: 'BIGINT' },
    { name: 'edit_prompt', type: 'VARCHAR' },
    { name: 'edit_object', type: 'VARCHAR' },
    { name: 'source_image', type: 'IMAGE' },
    { name: 'edited_image', type: 'IMAGE' },
    { name: 'mask_image', type: maskType === 'IMAGE' ? 'IMAGE' : 'VARCHAR' },
  ];
}

/** An UltraEdit row: a 48x48 source and edit, a 48x48 mask; `overrides` replace fields. */
export async function ultraEditRow(n: number, overrides: FixtureRow = {}): Promise<FixtureRow> {
  return {
    clip_sim_source: 0.25,
    clip_sim_target: 0.3,
    clip_sim_dir: 0.2 + n / 100,
    clip_sim_image: 0.9,
    dinov2_sim: 0.8,
    ssim: 0.7,
    source_caption: `a cat on mat ${n}`,
    target_caption: `a dog on mat ${n}`,
    idx: 1000 + n,
    edit_prompt: `Turn cat ${n} into a dog.`,
    edit_object: 'cat',
    source_image: await pngCell(48, 48, `s_${n}.png`, colour(n)),
    edited_image: await pngCell(48, 48, `e_${n}.png`, colour(n + 100)),
    mask_image: await pngCell(48, 48, `m_${n}.png`, { r: 255, g: 255, b: 255 }),
    ...overrides,
  };
}
