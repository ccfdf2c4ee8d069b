import type { ImportFormat } from './formats';

/** GPT-Image-Edit training JSON and generic JSONL / CSV (lib/import/json-formats/). */
export const JSON_FORMATS: ImportFormat[] = [];
