import { ImageCopier } from './files';
import type { ExportContext } from './run';
import { safeSegment, type ExportItem } from './selection';

/** Where the formats that copy images beside their records (jsonl, training JSON) put them. */
export const IMAGES_DIR = 'images';

/**
 * Copies an item's images to `images/<family>/<task>/{input,output}/...` (the paths of the
 * gpt-edit layout, under `images/`) and returns their paths relative to the export folder,
 * or why the item is left out.
 */
export class CopiedImages {
  private readonly copier: ImageCopier;

  constructor(context: ExportContext) {
    this.copier = new ImageCopier(context.out, context.files);
  }

  async copy(item: ExportItem): Promise<{ source: string; edited: string } | { problem: string }> {
    const dir = `${item.family}/${item.task}`;
    if (!safeSegment(item.family) || !safeSegment(item.task)) {
      return { problem: `dataset_source/task ${JSON.stringify(dir)} cannot be used as a folder name` };
    }
    const source = `${IMAGES_DIR}/${dir}/${item.source.rel}`;
    const edited = `${IMAGES_DIR}/${dir}/${item.edited.rel}`;
    const problem = await this.copier.copy([
      { ...item.source, target: source },
      { ...item.edited, target: edited },
    ]);
    return problem ? { problem } : { source, edited };
  }
}
