import fs from 'node:fs';
import type { ImportFormat } from './format-types';
import { NothingToImportError } from './import-gpt-edit';
import { GPT_EDIT_LAYOUT_FORMAT } from './formats-layout';
import { JSON_FORMATS } from './formats-json';
import { explainParquetMismatch, PARQUET_FORMATS } from './formats-parquet';

/** Every format, in the order auto-detection tries them. */
export const IMPORT_FORMATS: ImportFormat[] = [GPT_EDIT_LAYOUT_FORMAT, ...PARQUET_FORMATS, ...JSON_FORMATS];

export class UnknownFormatError extends Error {}

/**
 * The format named, or the first whose detect() accepts the path; when none does, the
 * released layout, whose importer says precisely what it expected to find, unless the path
 * holds parquet shards: then which columns they lack.
 */
export async function resolveFormat(path: string, name?: string): Promise<ImportFormat> {
  if (!fs.existsSync(path)) throw new NothingToImportError(`no such file or folder: ${path}`);
  if (name) {
    const format = IMPORT_FORMATS.find((f) => f.name === name);
    if (!format) throw new UnknownFormatError(`unknown format ${name} (known: ${IMPORT_FORMATS.map((f) => f.name).join(', ')})`);
    return format;
  }
  for (const format of IMPORT_FORMATS) if (await format.detect(path)) return format;
  const parquet = await explainParquetMismatch(path);
  if (parquet) throw new NothingToImportError(parquet);
  return GPT_EDIT_LAYOUT_FORMAT;
}
