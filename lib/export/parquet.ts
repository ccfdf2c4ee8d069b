import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { Db } from '@/db';
import packageJson from '@/package.json';
import { exportFile, readImage } from './files';
import { itemRecord } from './item-record';
import { runExport, type ExportContext, type ExportSummary, type FormatWriter } from './run';
import { shardBytes, type ShardedExportOptions } from './shards';
import type { ExportItem, ImageFile } from './selection';

/**
 * Parquet shards that Hugging Face `datasets` loads with Image columns:
 * `data/train-00000-of-0000N.parquet`, one row per triplet.
 *
 * - **Columns:** id, dataset, family, task, instruction, instruction_type, instruction_original
 *   (strings); source_image and edited_image as the `datasets` Image struct `{bytes, path}`
 *   with the image file's own bytes; metadata, verdict and candidate as JSON text (the
 *   objects of the jsonl record).
 * - **Schema metadata:** the `huggingface` key carries the features, so the images load as
 *   Image features rather than structs.
 * - **Row groups:** at most 100 rows or 128 MB of row data (less when the shard size is
 *   smaller), the unit a reader loads; one row group is in memory at a time.
 * - **Shards:** a new file starts when the next row group would take the current one past
 *   the shard size. The count is known only at the end: files are written as
 *   `train-00000.parquet`, ... and renamed then.
 * - **Deterministic:** no timestamps; `created_by` names the Loupe version.
 */

const DATA_DIR = 'data';
const GROUP_ROWS = 100;
const GROUP_BYTES = 128 * 1024 * 1024;
// Page headers, indexes and the footer on top of the row data: kept out of the shard budget.
const OVERHEAD_BYTES = 64 * 1024;

const STRING_COLUMNS = ['id', 'dataset', 'family', 'task', 'instruction', 'instruction_type', 'instruction_original'] as const;
const IMAGE_COLUMNS = ['source_image', 'edited_image'] as const;
const JSON_COLUMNS = ['metadata', 'verdict', 'candidate'] as const;

interface ImageValue {
  bytes: Uint8Array;
  path: string;
}

/** The schema element type of hyparquet-writer's own hyparquet (it may differ from the app's). */
type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

type Row = Record<(typeof STRING_COLUMNS)[number] | (typeof JSON_COLUMNS)[number], string | null> &
  Record<(typeof IMAGE_COLUMNS)[number], ImageValue>;

// Every column optional, as pyarrow writes them (and as `datasets` writes its own files).
const SCHEMA: SchemaElement[] = [
  { name: 'schema', num_children: STRING_COLUMNS.length + IMAGE_COLUMNS.length + JSON_COLUMNS.length },
  ...STRING_COLUMNS.map((name): SchemaElement => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' })),
  ...IMAGE_COLUMNS.flatMap((name): SchemaElement[] => [
    { name, repetition_type: 'OPTIONAL', num_children: 2 },
    { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
    { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  ]),
  ...JSON_COLUMNS.map((name): SchemaElement => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' })),
];

const STRING_FEATURE = { dtype: 'string', _type: 'Value' };
const FEATURES = Object.fromEntries([
  ...STRING_COLUMNS.map((name) => [name, STRING_FEATURE]),
  ...IMAGE_COLUMNS.map((name) => [name, { _type: 'Image' }]),
  ...JSON_COLUMNS.map((name) => [name, STRING_FEATURE]),
]);
export const HUGGINGFACE_METADATA = JSON.stringify({ info: { features: FEATURES } });

export function exportParquet(db: Db, options: ShardedExportOptions): Promise<ExportSummary> {
  const maxShardBytes = shardBytes(options.shardSizeMb);
  return runExport(db, options, {
    format: 'parquet',
    options: { shardSizeMb: maxShardBytes / (1024 * 1024) },
    open: (context) => new ParquetExportWriter(context, maxShardBytes),
  });
}

class ParquetExportWriter implements FormatWriter {
  private rows: Row[] = [];
  private rowBytes = 0;
  private readonly groupBytes: number;
  private shard: ParquetShard | undefined;
  private readonly shards: { bytes: number; sha256: string }[] = [];

  constructor(
    private readonly context: ExportContext,
    private readonly maxShardBytes: number,
  ) {
    this.groupBytes = Math.max(1, Math.min(GROUP_BYTES, maxShardBytes - OVERHEAD_BYTES));
  }

  async writeItem(item: ExportItem): Promise<string | undefined> {
    const source = await readImage(item.source);
    if ('problem' in source) return source.problem;
    const edited = await readImage(item.edited);
    if ('problem' in edited) return edited.problem;

    const { verdict, candidate, metadata, ...fields } = itemRecord(item);
    const row: Row = {
      id: fields.id,
      dataset: fields.dataset,
      family: fields.family,
      task: fields.task,
      instruction: fields.instruction,
      instruction_type: fields.instruction_type,
      instruction_original: fields.instruction_original ?? null,
      source_image: { bytes: source, path: imageName(item, item.source) },
      edited_image: { bytes: edited, path: imageName(item, item.edited) },
      metadata: JSON.stringify(metadata),
      verdict: verdict ? JSON.stringify(verdict) : null,
      candidate: JSON.stringify(candidate),
    };
    const bytes = source.length + edited.length + [...STRING_COLUMNS, ...JSON_COLUMNS].reduce((n, c) => n + (row[c]?.length ?? 0), 0);
    if (this.rows.length > 0 && this.rowBytes + bytes > this.groupBytes) this.writeGroup();
    this.rows.push(row);
    this.rowBytes += bytes;
    if (this.rows.length >= GROUP_ROWS) this.writeGroup();
    return undefined;
  }

  /** Writes the buffered rows as one row group, starting a new shard when this one would grow past the shard size. */
  private writeGroup() {
    if (this.shard && this.shard.rowGroups > 0 && this.shard.bytes + this.rowBytes + OVERHEAD_BYTES > this.maxShardBytes) {
      this.closeShard();
    }
    this.shard ??= new ParquetShard(this.tempFile(this.shards.length));
    this.shard.write(this.rows);
    this.rows = [];
    this.rowBytes = 0;
  }

  private closeShard() {
    this.shards.push(this.shard!.close());
    this.shard = undefined;
  }

  /** The last row group, then the shards' final names: train-<i>-of-<n>. An empty export has one empty shard. */
  async finish() {
    if (this.rows.length > 0) this.writeGroup();
    this.shard ??= new ParquetShard(this.tempFile(this.shards.length));
    this.closeShard();
    const n = this.shards.length;
    for (const [i, shard] of this.shards.entries()) {
      const rel = `${DATA_DIR}/train-${pad(i)}-of-${pad(n)}.parquet`;
      await fs.promises.rename(this.tempFile(i), exportFile(this.context.out, rel));
      this.context.files.add(rel, '', shard.bytes, shard.sha256);
    }
  }

  private tempFile(i: number): string {
    return exportFile(this.context.out, `${DATA_DIR}/train-${pad(i)}.parquet`);
  }
}

const pad = (n: number) => String(n).padStart(5, '0');

/** The image's name in the Image struct: its export path in the gpt-edit layout, which keeps the file's extension. */
function imageName(item: ExportItem, image: ImageFile): string {
  return `${item.family}/${item.task}/${image.rel}`;
}

/** One parquet file, written row group by row group. */
class ParquetShard {
  private readonly sink: HashingFileSink;
  private readonly writer: ParquetWriter;
  rowGroups = 0;

  constructor(file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.sink = new HashingFileSink(file);
    this.writer = new ParquetWriter({
      writer: this.sink,
      schema: SCHEMA,
      kvMetadata: [{ key: 'huggingface', value: HUGGINGFACE_METADATA }],
      createdBy: `loupe version ${packageJson.version}`,
    });
  }

  get bytes(): number {
    return this.sink.offset;
  }

  write(rows: Row[]) {
    const column = <K extends keyof Row>(name: K) => ({ name, data: rows.map((row) => row[name]) });
    this.writer.write({
      columnData: [
        ...STRING_COLUMNS.map(column),
        // Image files are compressed already, and their statistics mean nothing.
        ...IMAGE_COLUMNS.map((name) => ({
          ...column(name),
          encoding: 'PLAIN' as const,
          codec: 'UNCOMPRESSED' as const,
          statistics: false,
        })),
        ...JSON_COLUMNS.map(column),
      ],
      rowGroupSize: rows.length,
    });
    this.rowGroups++;
  }

  close(): { bytes: number; sha256: string } {
    this.writer.finish();
    return { bytes: this.sink.offset, sha256: this.sink.digest() };
  }
}

const CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * hyparquet-writer's output, written to a file in chunks as it grows and hashed on the
 * way. Synchronous writes: the writer's `ensure` cannot wait, and the chunks are large.
 */
class HashingFileSink extends ByteWriter {
  private readonly fd: number;
  private readonly hash = crypto.createHash('sha256');
  private sha256 = '';

  constructor(file: string) {
    super(CHUNK_BYTES);
    this.fd = fs.openSync(file, 'w');
  }

  ensure(size: number) {
    if (this.index > CHUNK_BYTES) this.flush();
    super.ensure(size);
  }

  flush() {
    if (this.index === 0) return;
    const chunk = new Uint8Array(this.buffer, 0, this.index);
    this.hash.update(chunk);
    for (let written = 0; written < chunk.length;) written += fs.writeSync(this.fd, chunk, written);
    this.index = 0;
  }

  finish() {
    this.flush();
    fs.closeSync(this.fd);
    this.sha256 = this.hash.digest('hex');
  }

  digest(): string {
    return this.sha256;
  }
}
