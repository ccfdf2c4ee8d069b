import type { Db } from '@/db';
import { CopiedImages } from './copied-images';
import { exportFile, HashedFileWriter } from './files';
import { itemRecord } from './item-record';
import { runExport, type ExportContext, type ExportOptions, type ExportSummary, type FormatWriter } from './run';
import type { ExportItem } from './selection';

const DATA_FILE = 'data.jsonl';

/**
 * Writes `out/data.jsonl`, one self-describing record per triplet (see `itemRecord`),
 * with `source` and `edited` naming the images copied or linked to `out/images/<family>/<task>/...`,
 * or (`--images none`) `source_ref` and `edited_ref` naming them in the store.
 */
export function exportJsonl(db: Db, options: ExportOptions): Promise<ExportSummary> {
  return runExport(db, options, { format: 'jsonl', open: (context) => new JsonlWriter(context) });
}

class JsonlWriter implements FormatWriter {
  private readonly images: CopiedImages;
  private data: HashedFileWriter | undefined;

  constructor(private readonly context: ExportContext) {
    this.images = new CopiedImages(context);
  }

  async writeItem(item: ExportItem): Promise<string | undefined> {
    const images = await this.images.copy(item);
    if ('problem' in images) return images.problem;
    this.data ??= await HashedFileWriter.open(exportFile(this.context.out, DATA_FILE));
    const record = itemRecord(
      item,
      images.source.ref
        ? { source_ref: images.source.ref, edited_ref: images.edited.ref! }
        : { source: images.source.path, edited: images.edited.path! },
    );
    await this.data.write(JSON.stringify(record) + '\n');
    return undefined;
  }

  /** An export of nothing still has its (empty) data file, so readers find one. */
  async finish() {
    this.data ??= await HashedFileWriter.open(exportFile(this.context.out, DATA_FILE));
    const { bytes, sha256 } = await this.data.close();
    this.context.files.add(DATA_FILE, '', bytes, sha256);
  }
}
