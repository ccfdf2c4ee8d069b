import { idText, text, type DatasetMapping } from './mapping';

/**
 * UltraEdit (BleachNick): one item per row, id `idx`, instruction `edit_prompt`, source
 * caption as input_description. Similarity scores and captions stay in the stored record.
 * A mask (`mask_image`, absent when null or 'null') is stored like the other images and
 * referenced from the record as `mask: {rootId, path, width, height}` for the review overlay.
 */
export const ULTRAEDIT: DatasetMapping = {
  format: 'ultraedit-parquet',
  description: 'UltraEdit parquet shards (idx, edit_prompt, source_image, edited_image, mask_image, captions, similarities)',
  family: 'ultraedit',
  defaultDataset: 'UltraEdit',
  requiredColumns: ['idx', 'edit_prompt', 'source_image', 'edited_image'],
  images: [{ column: 'source_image' }, { column: 'edited_image' }, { column: 'mask_image', optional: true }],
  idColumns: ['idx'],
  itemIds: (row) => {
    const id = idText(row.idx);
    return id ? [id] : [];
  },
  toItems: (row) => {
    const externalId = idText(row.idx)!;
    const instruction = text(row.edit_prompt);
    if (!instruction) return [{ externalId, problem: 'missing edit_prompt' }];
    return [
      {
        externalId,
        task: text(row.task) ?? 'default',
        instructions: [instruction],
        instructionField: 'edit_prompt',
        source: 'source_image',
        output: 'edited_image',
        extra: { input_description: text(row.source_caption) ?? null },
      },
    ];
  },
  imageFields: ({ mask_image: mask }) =>
    mask
      ? { mask: { rootId: mask.rootId, path: mask.path, width: mask.info.width, height: mask.info.height, fileId: mask.info.fileId } }
      : {},
};
