import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
  type AsyncBuffer,
  type CompressionCodec,
  type Compressors,
  type FileMetaData,
} from 'hyparquet';

/** One decoded parquet row: column name to value (structs are objects, lists arrays, int64 bigint). */
export type Row = Record<string, unknown>;

/** A row group's place in its file. */
export interface RowGroupSpan {
  index: number;
  /** First row (0-based, in the file) and the row after the last. */
  rowStart: number;
  rowEnd: number;
  /** Compressed bytes of the group, for progress. */
  bytes: number;
}

/** hyparquet reads uncompressed and snappy pages itself; Node's zlib adds gzip and brotli. */
const COMPRESSORS: Compressors = {
  GZIP: (input) => zlib.gunzipSync(input),
  BROTLI: (input) => zlib.brotliDecompressSync(input),
};
const READABLE_CODECS = new Set<CompressionCodec>(['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI']);

// HF layouts keep shards at most a few folders down (data/<config>/train-*.parquet).
const MAX_DEPTH = 3;

/**
 * The .parquet files at a path: the file itself, or those in a folder (and its
 * subfolders, a few levels down, hidden ones skipped), in name order so shards import in order;
 * `limit` stops the walk early (detection needs one).
 */
export function findParquetFiles(target: string, limit = Infinity): string[] {
  const stat = fs.statSync(target);
  if (stat.isFile()) return target.endsWith('.parquet') ? [target] : [];
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (found.length >= limit) return;
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isFile() && entry.name.endsWith('.parquet')) found.push(full);
      else if (entry.isDirectory() && depth < MAX_DEPTH) walk(full, depth + 1);
    }
  };
  walk(target, 0);
  return found;
}

/**
 * An AsyncBuffer over an open file handle: hyparquet asks for the byte ranges it needs
 * (the footer, then one row group's column chunks), so a multi-GB shard is never read whole.
 */
export function fileHandleBuffer(handle: fs.promises.FileHandle, byteLength: number): AsyncBuffer {
  return {
    byteLength,
    async slice(start: number, end = byteLength) {
      const buffer = new ArrayBuffer(Math.max(0, end - start));
      const view = new Uint8Array(buffer);
      let filled = 0;
      while (filled < view.length) {
        const { bytesRead } = await handle.read(view, filled, view.length - filled, start + filled);
        if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${start + filled}`);
        filled += bytesRead;
      }
      return buffer;
    },
  };
}

/** A parquet shard opened for reading one row group at a time. Call close() when done. */
export class ParquetShard {
  /** Top-level column names. */
  readonly columns: string[];

  private constructor(
    private readonly handle: fs.promises.FileHandle,
    private readonly buffer: AsyncBuffer,
    readonly metadata: FileMetaData,
  ) {
    this.columns = parquetSchema(metadata).children.map((c) => c.element.name);
  }

  /** Opens a shard and reads its footer (throws with a short reason when it is not parquet). */
  static async open(file: string): Promise<ParquetShard> {
    const handle = await fs.promises.open(file, 'r');
    try {
      const { size } = await handle.stat();
      if (size < 12) throw new Error(`too short to be parquet (${size} bytes)`);
      const buffer = fileHandleBuffer(handle, size);
      const metadata = await parquetMetadataAsync(buffer);
      // Said once for the file rather than once per row group.
      const codecs = new Set(metadata.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec ?? 'UNCOMPRESSED')));
      const unreadable = [...codecs].filter((codec) => !READABLE_CODECS.has(codec));
      if (unreadable.length)
        throw new Error(`compressed with ${unreadable.join(', ')}, which Loupe cannot decompress (snappy, gzip and brotli are fine)`);
      return new ParquetShard(handle, buffer, metadata);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  get rowGroups(): RowGroupSpan[] {
    let rowStart = 0;
    return this.metadata.row_groups.map((group, index) => {
      const rows = Number(group.num_rows);
      const bytes = group.columns.reduce((sum, c) => sum + Number(c.meta_data?.total_compressed_size ?? 0), 0);
      const span = { index, rowStart, rowEnd: rowStart + rows, bytes };
      rowStart += rows;
      return span;
    });
  }

  /**
   * Decodes rows [rowStart, rowEnd) of the given columns. Binary values stay bytes
   * (utf8: false): image structs hold { bytes: Uint8Array, path }; strings annotated as
   * such are still decoded to text.
   */
  read(span: { rowStart: number; rowEnd: number }, columns: string[]): Promise<Row[]> {
    return parquetReadObjects({
      file: this.buffer,
      metadata: this.metadata,
      rowStart: span.rowStart,
      rowEnd: span.rowEnd,
      columns,
      utf8: false,
      useOffsetIndex: true,
      compressors: COMPRESSORS,
    });
  }

  close() {
    return this.handle.close();
  }
}

/** The top-level column names of a parquet file (reads its footer only). */
export async function parquetColumns(file: string): Promise<string[]> {
  const shard = await ParquetShard.open(file);
  try {
    return shard.columns;
  } finally {
    await shard.close();
  }
}
