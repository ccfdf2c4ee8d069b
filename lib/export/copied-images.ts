import type { ExportContext } from './run';
import type { PlacedImage } from './images';
import { safeSegment, type ExportItem } from './selection';

/** Where the formats that put images beside their records (jsonl, training JSON) put them. */
export const IMAGES_DIR = 'images';

/**
 * Places an item's images at `images/<family>/<task>/{input,output}/...` (the paths of the
 * gpt-edit layout, under `images/`) by the export's image mode, and returns their paths
 * relative to the export folder (or, with `--images none`, their store references), or why the
 * item is left out.
 */
export class CopiedImages {
  constructor(private readonly context: ExportContext) {}

  async copy(item: ExportItem): Promise<{ source: PlacedImage; edited: PlacedImage } | { problem: string }> {
    const dir = `${item.family}/${item.task}`;
    if (!safeSegment(item.family) || !safeSegment(item.task)) {
      return { problem: `dataset_source/task ${JSON.stringify(dir)} cannot be used as a folder name` };
    }
    return this.context.images.place(item, [`${IMAGES_DIR}/${dir}/${item.source.rel}`, `${IMAGES_DIR}/${dir}/${item.edited.rel}`]);
  }
}
