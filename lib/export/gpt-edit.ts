import type { Db } from '@/db';
import { exportFile, JsonArrayWriter } from './files';
import { runExport, type ExportContext, type ExportOptions, type ExportSummary, type FormatWriter } from './run';
import { buildRecord, safeSegment, type ExportItem, type TaskGroup } from './selection';

export { ExportError } from './selection';
export type { ExportOptions, ExportSummary } from './run';

/**
 * Writes the selected items in the GPT-Image-Edit-1.5M layout the importer reads:
 * `out/<family>/<task>/{input,output,metadata/<family>_<task>.json}` plus `out/manifest.json`.
 * Records carry the chosen instruction and edited image (see `buildRecord`); images are
 * copied or hard-linked (`--images`), or with `--images none` not written: each record then
 * names them in the store in `input_ref` and `output_ref`. Memory stays bounded whatever the size: items are read in keyset
 * pages, metadata files are written as streams, and the list of written files lives in a
 * temporary SQLite database rather than in memory (see `runExport`).
 */
export function exportGptEdit(db: Db, options: ExportOptions): Promise<ExportSummary> {
  return runExport(db, options, { format: 'gpt-edit', open: (context) => new GptEditWriter(context) });
}

/** One task folder at a time: its images, and its metadata file with the records in id order. */
class GptEditWriter implements FormatWriter {
  private dir = '';
  private metadataPath = '';
  private folderOk = false;
  private metadata: JsonArrayWriter | undefined;

  constructor(private readonly context: ExportContext) {}

  beginTask({ family, task }: TaskGroup) {
    this.dir = `${family}/${task}`;
    this.metadataPath = `${this.dir}/metadata/${family}_${task}.json`;
    this.folderOk = safeSegment(family) && safeSegment(task);
  }

  async writeItem(item: ExportItem): Promise<string | undefined> {
    if (!this.folderOk) return `dataset_source/task ${JSON.stringify(this.dir)} cannot be used as a folder name`;
    const images = await this.context.images.place(item, [`${this.dir}/${item.source.rel}`, `${this.dir}/${item.edited.rel}`]);
    if ('problem' in images) return images.problem;
    const record = buildRecord(item.original, item.source.rel, item.edited.rel, item.firstVersion, item.version);
    if (images.source.ref) Object.assign(record, { input_ref: images.source.ref, output_ref: images.edited.ref });
    this.metadata ??= await JsonArrayWriter.open(exportFile(this.context.out, this.metadataPath));
    await this.metadata.append(JSON.stringify(record));
    return undefined;
  }

  async endTask() {
    if (!this.metadata) return;
    const { bytes, sha256 } = await this.metadata.close();
    this.context.files.add(this.metadataPath, '', bytes, sha256);
    this.metadata = undefined;
  }

  async finish() {}
}
