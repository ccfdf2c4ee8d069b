import fs from 'node:fs';
import path from 'node:path';
import type { ImportFormat } from './format-types';
import { findTaskFolders } from './gpt-edit-layout';
import { importGptEdit } from './import-gpt-edit';

/** The released GPT-Image-Edit-1.5M layout: <family>/<task>/metadata/*.json (or one such file). */
export const GPT_EDIT_LAYOUT_FORMAT: ImportFormat = {
  name: 'gpt-edit',
  description: 'GPT-Image-Edit-1.5M released layout (<family>/<task>/{input,output,metadata})',
  detect: async (target) => {
    try {
      if (fs.statSync(target).isFile()) return path.basename(path.dirname(target)) === 'metadata';
      return findTaskFolders(target).length > 0;
    } catch {
      return false;
    }
  },
  run: importGptEdit,
};
