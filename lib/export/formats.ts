/** The export formats (no server code here: the API contract in lib/api/exports.ts and the browser name them). */
export const EXPORT_FORMATS = ['gpt-edit', 'gpt-image-edit-training', 'jsonl', 'parquet', 'webdataset'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
