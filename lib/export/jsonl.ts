import type { Db } from '@/db';
import { CopiedImages } from './copied-images';
import { exportFile, HashedFileWriter } from './files';
import { storedAtOfLine } from './images';
import { itemRecord, recordLine } from './item-record';
import { runExport, type ExportContext, type ExportOptions, type ExportSummary, type FormatWriter } from './run';
import { itemRow, safeSegment, type ExportItem, type LineRow, type TaskGroup } from './selection';

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
  /** `--images none`: rows are written straight from the page (writeRow). */
  readonly writeRow;

  constructor(private readonly context: ExportContext) {
    this.images = new CopiedImages(context);
    this.writeRow = context.images.mode === 'none' ? this.lineOf : undefined;
  }

  async beginTask() {
    this.data ??= await HashedFileWriter.open(exportFile(this.context.out, DATA_FILE));
  }

  async writeItem(item: ExportItem): Promise<string | undefined> {
    const images = await this.images.copy(item);
    if ('problem' in images) return images.problem;
    const record = itemRecord(
      item,
      images.source.ref
        ? { source_ref: images.source.ref, edited_ref: images.edited.ref! }
        : { source: images.source.path, edited: images.edited.path! },
    );
    await this.data!.write(JSON.stringify(record) + '\n');
    return undefined;
  }

  /**
   * `--images none`'s fast path: a row whose record SQLite wrote and whose images the store names
   * (no file to read) is written as recordLine, with no ExportItem, image path or record object
   * made. Any other row (a missing version, a stored record that is not an object, an image whose
   * SHA-256 must be read, a folder name writeItem refuses) takes the general path, which says why.
   */
  private readonly lineOf = (row: LineRow, group: TaskGroup): string | undefined | Promise<string | undefined> => {
    const refs =
      row.head !== null && safeSegment(group.family) && safeSegment(group.task)
        ? this.context.images.referencesByName(storedAtOfLine(row))
        : undefined;
    if (!refs) {
      // Read again, after other rows' awaits: an item decided otherwise since its page was read (an
      // undo, a re-adjudication) may no longer match the export's status filter, so it is not written.
      const fresh = itemRow(this.context.db, row.id)!;
      if (fresh.status !== row.status) {
        return `item ${row.external_id} changed from ${row.status} to ${fresh.status} while the export ran; not written`;
      }
      const item = this.context.resolve(fresh, group);
      return 'problem' in item ? item.problem : this.writeItem(item);
    }
    return this.data!.write(recordLine(row, refs) + '\n')?.then(() => undefined);
  };

  /** An export of nothing still has its (empty) data file, so readers find one. */
  async finish() {
    this.data ??= await HashedFileWriter.open(exportFile(this.context.out, DATA_FILE));
    const { bytes, sha256 } = await this.data.close();
    this.context.files.add(DATA_FILE, '', bytes, sha256);
  }
}
