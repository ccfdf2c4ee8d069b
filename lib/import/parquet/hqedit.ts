import { text, type DatasetMapping, type ItemDraft, type SkippedItem } from './mapping';

/**
 * HQ-Edit (UCSC-VLAA): each row is a pair of images with an edit both ways, so it yields
 * two items: `<shard>:<row>:edit` (input_image to output_image by `edit`) and
 * `<shard>:<row>:inverse` (output_image to input_image by `inverse_edit`). The rows have no
 * id of their own: the key is the shard's file name (without .parquet) and the row's
 * position in it, stable as long as the shards are not renamed or rewritten.
 */
export const HQEDIT: DatasetMapping = {
  format: 'hqedit-parquet',
  description: 'HQ-Edit parquet shards (input, input_image, edit, inverse_edit, output, output_image); two items per row',
  family: 'hqedit',
  defaultDataset: 'HQ-Edit',
  requiredColumns: ['input', 'input_image', 'edit', 'inverse_edit', 'output', 'output_image'],
  images: [{ column: 'input_image' }, { column: 'output_image' }],
  idColumns: [],
  itemIds: (_row, at) => [`${at.shard}:${at.row}:edit`, `${at.shard}:${at.row}:inverse`],
  toItems: (row, at) => {
    const key = `${at.shard}:${at.row}`;
    const direction = (
      suffix: 'edit' | 'inverse',
      task: string,
      instruction: unknown,
      description: unknown,
      source: string,
      output: string,
    ): ItemDraft | SkippedItem => {
      const externalId = `${key}:${suffix}`;
      const instructionText = text(instruction);
      if (!instructionText) return { externalId, problem: `missing ${task}` };
      return {
        externalId,
        task,
        instructions: [instructionText],
        instructionField: task,
        source,
        output,
        extra: { input_description: text(description) ?? null, direction: suffix },
      };
    };
    return [
      direction('edit', 'edit', row.edit, row.input, 'input_image', 'output_image'),
      direction('inverse', 'inverse_edit', row.inverse_edit, row.output, 'output_image', 'input_image'),
    ];
  },
};
