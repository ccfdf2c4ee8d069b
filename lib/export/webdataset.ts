import path from 'node:path';
import { imageSize } from 'image-size';
import type { Db } from '@/db';
import { exportFile, HashedFileWriter, readImage } from './files';
import { itemRecord } from './item-record';
import { runExport, type ExportContext, type ExportSummary, type FormatWriter } from './run';
import { shardBytes, type ShardedExportOptions } from './shards';
import type { ExportItem, ImageFile } from './selection';

/**
 * WebDataset tar shards `shard-000000.tar`, ... with three files per triplet:
 * `KEY.src.<ext>`, `KEY.edit.<ext>` and `KEY.json` (the jsonl record without image paths).
 *
 * - **KEY:** the item's position in the export (`%06d`) and its id with anything but
 *   letters, digits, `-` and `_` made `_`, cut to 64 characters. It never holds a dot,
 *   since WebDataset splits a name into key and extension at the first dot.
 * - **Images:** stored as they are, with the extension of their actual format (read from
 *   their header: `png`, `jpg`, `webp`, ...). Nothing is decoded or re-encoded: a JPEG stays
 *   the same bytes, and WebDataset's decoders choose by extension.
 * - **Shards:** a sample is never split; a new shard starts when the next sample would take
 *   the current one past the shard size (a larger sample gets a shard of its own).
 * - **Deterministic:** every header has mtime 0, mode 0644, uid/gid 0 and no user names.
 */

const KEY_ID_LENGTH = 64;
const BLOCK = 512;
const END_OF_ARCHIVE = 2 * BLOCK;
const ZEROS = Buffer.alloc(END_OF_ARCHIVE);
/** The largest size a ustar header's 11 octal digits hold. */
const MAX_ENTRY_BYTES = 8 ** 11 - 1;

export function exportWebDataset(db: Db, options: ShardedExportOptions): Promise<ExportSummary> {
  const maxShardBytes = shardBytes(options.shardSizeMb);
  return runExport(db, options, {
    format: 'webdataset',
    options: { shardSizeMb: maxShardBytes / (1024 * 1024) },
    open: (context) => new WebDatasetWriter(context, maxShardBytes),
  });
}

/** A WebDataset sample key from the item's position and id. */
export function sampleKey(index: number, externalId: string): string {
  return `${String(index).padStart(6, '0')}_${externalId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, KEY_ID_LENGTH)}`;
}

class WebDatasetWriter implements FormatWriter {
  private samples = 0;
  private shard: TarShard | undefined;
  private shardPath = '';
  private shardCount = 0;

  constructor(
    private readonly context: ExportContext,
    private readonly maxShardBytes: number,
  ) {}

  async writeItem(item: ExportItem): Promise<string | undefined> {
    const source = await readImage(item.source);
    if ('problem' in source) return source.problem;
    const edited = await readImage(item.edited);
    if ('problem' in edited) return edited.problem;

    const key = sampleKey(this.samples, item.row.external_id);
    const entries: [string, Buffer][] = [
      [`${key}.src.${imageExtension(source, item.source)}`, source],
      [`${key}.edit.${imageExtension(edited, item.edited)}`, edited],
      [`${key}.json`, Buffer.from(JSON.stringify(itemRecord(item)), 'utf8')],
    ];
    const size = entries.reduce((n, [, data]) => n + entrySize(data.length), 0);
    if (this.shard && this.shard.samples > 0 && this.shard.bytes + size + END_OF_ARCHIVE > this.maxShardBytes) await this.closeShard();
    if (!this.shard) {
      this.shardPath = `shard-${String(this.shardCount++).padStart(6, '0')}.tar`;
      this.shard = await TarShard.open(exportFile(this.context.out, this.shardPath));
    }
    await this.shard.addSample(entries);
    this.samples++;
    return undefined;
  }

  private async closeShard() {
    const { bytes, sha256 } = await this.shard!.close();
    this.context.files.add(this.shardPath, '', bytes, sha256);
    this.shard = undefined;
  }

  async finish() {
    if (this.shard) await this.closeShard();
  }
}

/** A tar entry's size: its header block and its data padded to whole blocks (names are short: no long-name headers). */
function entrySize(bytes: number): number {
  return BLOCK + Math.ceil(bytes / BLOCK) * BLOCK;
}

/** The extension of the image's actual format, else of its file name. */
function imageExtension(data: Buffer, image: ImageFile): string {
  let type: string | undefined;
  try {
    type = imageSize(data).type;
  } catch {
    type = undefined;
  }
  // At most 10 characters, so a member's name always fits the header's 100 bytes (tarHeader).
  const extension = (type ?? path.extname(image.from).slice(1))
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 10);
  return extension === 'jpeg' ? 'jpg' : extension || 'bin';
}

/**
 * A ustar header: the name (short: see entrySize), mode 0644, uid/gid 0, no user names, mtime 0,
 * a regular file of `size` bytes.
 */
export function tarHeader(name: string, size: number): Buffer {
  if (size > MAX_ENTRY_BYTES) throw new Error(`${name}: ${size} bytes is more than a tar entry holds`);
  // Never cut silently: a cut name would lose its sample key and suffix.
  if (Buffer.byteLength(name) > 100) throw new Error(`${name}: a tar member name holds at most 100 bytes`);
  const header = Buffer.alloc(BLOCK);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100); // mode
  header.write('0000000\0', 108); // uid
  header.write('0000000\0', 116); // gid
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136); // mtime
  header.write('        ', 148); // the checksum counts its own field as spaces
  header.write('0', 156); // a regular file
  header.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}

/**
 * One tar file, its headers made here and written through a HashedFileWriter (large buffered writes,
 * hashed on the way): no stream per entry to wait for.
 */
class TarShard {
  /** Bytes the archive holds so far (end-of-archive blocks not counted). */
  bytes = 0;
  samples = 0;

  private constructor(private readonly file: HashedFileWriter) {}

  static async open(file: string): Promise<TarShard> {
    return new TarShard(await HashedFileWriter.open(file));
  }

  async addSample(entries: [string, Buffer][]) {
    for (const [name, data] of entries) {
      await this.file.write(tarHeader(name, data.length));
      await this.file.write(data);
      const padding = (BLOCK - (data.length % BLOCK)) % BLOCK;
      if (padding) await this.file.write(ZEROS.subarray(0, padding));
      this.bytes += entrySize(data.length);
    }
    this.samples++;
  }

  async close(): Promise<{ bytes: number; sha256: string }> {
    await this.file.write(ZEROS);
    return this.file.close();
  }
}
