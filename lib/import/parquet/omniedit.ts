import { idText, text, type DatasetMapping } from './mapping';

/**
 * OmniEdit-Filtered-1.2M (TIGER-Lab): one item per row, id `omni_edit_id`. Every prompt
 * of `edited_prompt_list` becomes an *original* instruction version, the first one current
 * (the list holds alternative phrasings of one edit, none is a rewrite of another). Scores
 * and reasonings stay in the stored record.
 */
export const OMNIEDIT: DatasetMapping = {
  format: 'omniedit-parquet',
  description: 'OmniEdit-Filtered-1.2M parquet shards (omni_edit_id, task, src_img, edited_img, edited_prompt_list, ...)',
  family: 'omniedit',
  defaultDataset: 'OmniEdit-Filtered-1.2M',
  requiredColumns: ['omni_edit_id', 'task', 'src_img', 'edited_img', 'edited_prompt_list'],
  images: [{ column: 'src_img' }, { column: 'edited_img' }],
  idColumns: ['omni_edit_id'],
  itemIds: (row) => {
    const id = idText(row.omni_edit_id);
    return id ? [id] : [];
  },
  toItems: (row) => {
    const externalId = idText(row.omni_edit_id)!;
    const task = text(row.task);
    const prompts = Array.isArray(row.edited_prompt_list) ? row.edited_prompt_list.map(text).filter((p) => p !== undefined) : [];
    if (!task) return [{ externalId, problem: 'missing task' }];
    if (prompts.length === 0) return [{ externalId, problem: 'edited_prompt_list has no prompt' }];
    return [{ externalId, task, instructions: prompts, instructionField: 'edited_prompt_list', source: 'src_img', output: 'edited_img' }];
  },
};
