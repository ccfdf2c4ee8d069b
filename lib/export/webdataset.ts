import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { imageSize } from 'image-size';
import tar from 'tar-stream';
import type { Db } from '@/db';
import { exportFile, readImage } from './files';
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
const MTIME = new Date(0);

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
      this.shard = new TarShard(exportFile(this.context.out, this.shardPath));
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
  const extension = (type ?? path.extname(image.from).slice(1)).toLowerCase().replace(/[^a-z0-9]/g, '');
  return extension === 'jpeg' ? 'jpg' : extension || 'bin';
}

/** One tar file, written as a stream (backpressure honoured) and hashed on the way. */
class TarShard {
  private readonly pack = tar.pack();
  private readonly out: fs.WriteStream;
  private readonly hash = crypto.createHash('sha256');
  private readonly finished: Promise<void>;
  private readonly failed: Promise<never>;
  /** Bytes the archive holds so far (end-of-archive blocks not counted). */
  bytes = 0;
  samples = 0;

  constructor(file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.out = fs.createWriteStream(file);
    this.failed = new Promise<never>((_, reject) => {
      this.out.on('error', reject);
      this.pack.on('error', reject);
    });
    this.failed.catch(() => {}); // surfaced by addSample or close
    this.finished = new Promise((resolve) => this.out.on('finish', resolve));
    this.pack.on('data', (data: unknown) => {
      const chunk = data as Buffer; // tar-stream emits buffers
      this.hash.update(chunk);
      if (!this.out.write(chunk)) {
        this.pack.pause();
        this.out.once('drain', () => this.pack.resume());
      }
    });
    this.pack.on('end', () => this.out.end());
  }

  async addSample(entries: [string, Buffer][]) {
    for (const [name, data] of entries) {
      const added = new Promise<void>((resolve, reject) => {
        this.pack.entry(
          { name, size: data.length, type: 'file', mode: 0o644, mtime: MTIME, uid: 0, gid: 0, uname: '', gname: '' },
          data,
          (error) => (error ? reject(error) : resolve()),
        );
      });
      await Promise.race([added, this.failed]);
      this.bytes += entrySize(data.length);
    }
    this.samples++;
  }

  async close(): Promise<{ bytes: number; sha256: string }> {
    this.pack.finalize();
    await Promise.race([this.finished, this.failed]);
    return { bytes: this.out.bytesWritten, sha256: this.hash.digest('hex') };
  }
}
