import type { ImportFormat } from './formats';

/** OmniEdit-Filtered, HQ-Edit and UltraEdit parquet shards (lib/import/parquet/). */
export const PARQUET_FORMATS: ImportFormat[] = [];
