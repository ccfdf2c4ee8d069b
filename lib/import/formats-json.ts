import type { ImportFormat } from './format-types';
import { CSV_FORMAT, JSONL_FORMAT } from './json-formats/generic';
import { GPT_EDIT_TRAINING_FORMAT } from './json-formats/training';

/** GPT-Image-Edit training JSON and generic JSONL / CSV (lib/import/json-formats/). */
export const JSON_FORMATS: ImportFormat[] = [GPT_EDIT_TRAINING_FORMAT, JSONL_FORMAT, CSV_FORMAT];
