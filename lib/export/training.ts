import type { Db } from '@/db';
import { CopiedImages } from './copied-images';
import { exportFile, HashedFileWriter, JsonArrayWriter } from './files';
import { storePath, type PlacedImage } from './images';
import { runExport, type ExportContext, type ExportOptions, type ExportSummary, type FormatWriter } from './run';
import { ExportError, safeSegment, type ExportItem, type TaskGroup } from './selection';

/**
 * The input of the GPT-Image-Edit paper's training code (UniWorld-V1's Qwen2VLDataset):
 *
 * - `training_json/<family>_<task>.json`: a JSON array per task of
 *   `{id, image: [source, edited], conversations: [{from: "human", value: "<image>\n<instruction>"},
 *   {from: "gpt", value: "<gen_image>"}]}`. `<gen_image>` (the code's GENERATE_TOKEN) marks the
 *   last image as the one to generate; with `<image>` there the denoiser training rejects the sample.
 * - `images/<family>/<task>/{input,output}/...`: the images, named in `image` relative to the export folder.
 * - `data.txt`: one line `<image_root>,<annotation_json>,<need_weight>` per JSON file. The code
 *   splits the line on commas, opens the JSON file and joins image paths to image_root relative
 *   to its own working folder, not to data.txt's, so both paths are absolute (image_root is the
 *   export folder). need_weight is `false`, as in the paper's data.txt, unless asked for: `true`
 *   weights the loss by the edited region, and a sample whose edit is too small then errors.
 */

export interface TrainingExportOptions extends ExportOptions {
  /** need_weight in data.txt (default false). */
  needWeight?: boolean;
}

const JSON_DIR = 'training_json';
const DATA_TXT = 'data.txt';

export function exportTraining(db: Db, options: TrainingExportOptions): Promise<ExportSummary> {
  const needWeight = options.needWeight ?? false;
  return runExport(db, options, {
    format: 'gpt-image-edit-training',
    options: { needWeight },
    checkOut: (out) => {
      if (/[,\r\n]/.test(out)) throw new ExportError(`${out}: data.txt cannot name a folder whose path has a comma or a line break`);
    },
    open: (context) => new TrainingWriter(context, needWeight),
  });
}

class TrainingWriter implements FormatWriter {
  private readonly images: CopiedImages;
  private readonly usedNames = new Set<string>();
  /** data.txt lines of the JSON files written; one per task (family, task) with records. */
  private readonly lines: string[] = [];
  private jsonPath: string | undefined;
  private refusal: string | undefined;
  private json: JsonArrayWriter | undefined;

  constructor(
    private readonly context: ExportContext,
    private readonly needWeight: boolean,
  ) {
    this.images = new CopiedImages(context);
  }

  beginTask({ family, task }: TaskGroup) {
    const name = `${family}_${task}.json`;
    this.jsonPath = `${JSON_DIR}/${name}`;
    this.refusal = undefined;
    if (!safeSegment(family) || !safeSegment(task)) {
      this.refusal = `dataset_source/task ${JSON.stringify(`${family}/${task}`)} cannot be used as a folder name`;
    } else if (this.usedNames.has(name)) {
      this.refusal = `${this.jsonPath} is already the file of another family and task`;
    }
    this.usedNames.add(name);
  }

  async writeItem(item: ExportItem): Promise<string | undefined> {
    if (this.refusal) return this.refusal;
    const images = await this.images.copy(item);
    if ('problem' in images) return images.problem;
    this.json ??= await JsonArrayWriter.open(exportFile(this.context.out, this.jsonPath!));
    // With --images none the images stay in the store: absolute paths (UniWorld joins them to image_root, which keeps an absolute one).
    const where = (image: PlacedImage) => image.path ?? storePath(image.ref);
    const record = {
      id: item.row.external_id,
      image: [where(images.source), where(images.edited)],
      ...(images.source.ref ? { image_ref: [images.source.ref, images.edited.ref] } : {}),
      conversations: [
        { from: 'human', value: `<image>\n${item.version.text}` },
        { from: 'gpt', value: '<gen_image>' },
      ],
    };
    await this.json.append(JSON.stringify(record));
    return undefined;
  }

  async endTask() {
    if (!this.json) return;
    const { bytes, sha256 } = await this.json.close();
    this.context.files.add(this.jsonPath!, '', bytes, sha256);
    this.json = undefined;
    this.lines.push(`${this.context.out},${exportFile(this.context.out, this.jsonPath!)},${this.needWeight}`);
  }

  async finish() {
    const file = await HashedFileWriter.open(exportFile(this.context.out, DATA_TXT));
    for (const line of this.lines) await file.write(line + '\n');
    const { bytes, sha256 } = await file.close();
    this.context.files.add(DATA_TXT, '', bytes, sha256);
  }
}
