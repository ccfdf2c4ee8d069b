import path from 'node:path';
import type { ImportFormat } from './format-types';
import { HQEDIT } from './parquet/hqedit';
import { parquetFormat } from './parquet/import-parquet';
import { OMNIEDIT } from './parquet/omniedit';
import { findParquetFiles, parquetColumns } from './parquet/shard';
import { ULTRAEDIT } from './parquet/ultraedit';

const MAPPINGS = [OMNIEDIT, HQEDIT, ULTRAEDIT];

/** OmniEdit-Filtered, HQ-Edit and UltraEdit parquet shards (lib/import/parquet/). */
export const PARQUET_FORMATS: ImportFormat[] = MAPPINGS.map(parquetFormat);

/**
 * When the path holds parquet shards that no parquet format accepts, why: the columns each
 * format misses (closest first), or why the first shard cannot be read. Undefined when
 * there is no parquet file there.
 */
export async function explainParquetMismatch(target: string): Promise<string | undefined> {
  let first: string | undefined;
  try {
    [first] = findParquetFiles(target, 1);
  } catch {
    return undefined;
  }
  if (!first) return undefined;
  const shown = path.relative(target, first) || path.basename(first);
  let columns: string[];
  try {
    columns = await parquetColumns(first);
  } catch (error) {
    return `${shown} is not a readable parquet file: ${(error as Error).message}`;
  }
  const misses = MAPPINGS.map((m) => ({ format: m.format, missing: m.requiredColumns.filter((c) => !columns.includes(c)) })).sort(
    (a, b) => a.missing.length - b.missing.length,
  );
  const why = misses.map((m) => `${m.format} needs ${m.missing.join(', ')}`).join('; ');
  return `${shown} matches no parquet format: its columns are ${columns.join(', ') || '(none)'}; ${why}`;
}
