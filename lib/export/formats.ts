/** The export formats (no server code here: the API contract in lib/api/exports.ts and the browser name them). */
export const EXPORT_FORMATS = ['gpt-edit', 'gpt-image-edit-training', 'jsonl', 'parquet', 'webdataset'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * What an export does with the images of the formats that lay them out as files (gpt-edit,
 * training, jsonl): `copy` them, hard-`link` them to the stored files (no second copy on the
 * disk; copied where the filesystem refuses a link), or write `none`, only each image's
 * store reference (sha256, root and relative path). Parquet and WebDataset embed the images.
 */
export const IMAGE_MODES = ['copy', 'link', 'none'] as const;
export type ImageMode = (typeof IMAGE_MODES)[number];
export const FILE_IMAGE_FORMATS: readonly ExportFormat[] = ['gpt-edit', 'gpt-image-edit-training', 'jsonl'];
