import fs from 'node:fs';
import type { ImportFormat } from './format-types';
import { NothingToImportError } from './import-gpt-edit';
import { GPT_EDIT_LAYOUT_FORMAT } from './formats-layout';
import { JSON_FORMATS } from './formats-json';
import { explainParquetMismatch, PARQUET_FORMATS } from './formats-parquet';
import { resolveFromBucket, type ResolvedImport } from './s3-source';
import { TARBALL_FORMAT } from './tarball/format';
import { holdsExtractedLayout } from './tarball/parts';

/**
 * Every format, in the order auto-detection tries them (tarball parts first: a look at file
 * names; but the layout first for a folder holding an extracted layout: detectionOrder).
 */
export const IMPORT_FORMATS: ImportFormat[] = [TARBALL_FORMAT, GPT_EDIT_LAYOUT_FORMAT, ...PARQUET_FORMATS, ...JSON_FORMATS];

/** The formats in the order to try for this path: an extracted layout with a stray tarball beside it is the layout. */
function detectionOrder(path: string): ImportFormat[] {
  if (!holdsExtractedLayout(path)) return IMPORT_FORMATS;
  return [GPT_EDIT_LAYOUT_FORMAT, ...IMPORT_FORMATS.filter((f) => f !== GPT_EDIT_LAYOUT_FORMAT)];
}

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
  for (const format of detectionOrder(path)) if (await format.detect(path)) return format;
  const parquet = await explainParquetMismatch(path);
  if (parquet) throw new NothingToImportError(parquet);
  return GPT_EDIT_LAYOUT_FORMAT;
}

/**
 * The format of one path or of several read as one source (only a format with runSeveral,
 * the tarball parts, takes several), and how to run it.
 */
export async function resolveFormatOf(paths: string[], name?: string): Promise<ResolvedImport> {
  // s3:// sources: copied beside the database, then resolved as local paths (lib/import/s3-source.ts).
  if (paths.some((p) => p.startsWith('s3://'))) return resolveFromBucket(paths, (staged) => resolveFormatOf(staged, name));
  if (paths.length === 1) {
    const format = await resolveFormat(paths[0], name);
    return { format, run: (db, options) => format.run(db, paths[0], options) };
  }
  for (const p of paths) if (!fs.existsSync(p)) throw new NothingToImportError(`no such file or folder: ${p}`);
  const several = IMPORT_FORMATS.filter((f) => f.runSeveral);
  let format: ImportFormat | undefined;
  if (name) {
    format = IMPORT_FORMATS.find((f) => f.name === name);
    if (!format) throw new UnknownFormatError(`unknown format ${name} (known: ${IMPORT_FORMATS.map((f) => f.name).join(', ')})`);
    if (!format.runSeveral)
      throw new UnknownFormatError(`format ${name} reads one PATH; only ${several.map((f) => f.name).join(', ')} reads several`);
  } else {
    for (const candidate of several) {
      // Some path is this format's (the others, metadata files say, are checked by its runSeveral).
      const detected = await Promise.all(paths.map((p) => candidate.detect(p)));
      if (detected.some(Boolean)) format = candidate;
      if (format) break;
    }
  }
  if (!format) {
    throw new NothingToImportError(
      `several paths are read only as the parts of split tarballs (NAME.tar.gz.partNNN); give one PATH otherwise`,
    );
  }
  const chosen = format;
  return { format: chosen, run: (db, options) => chosen.runSeveral!(db, paths, options) };
}
