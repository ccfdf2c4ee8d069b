import type { ImportFormat } from './formats';
import { HQEDIT } from './parquet/hqedit';
import { parquetFormat } from './parquet/import-parquet';
import { OMNIEDIT } from './parquet/omniedit';
import { ULTRAEDIT } from './parquet/ultraedit';

/** OmniEdit-Filtered, HQ-Edit and UltraEdit parquet shards (lib/import/parquet/). */
export const PARQUET_FORMATS: ImportFormat[] = [OMNIEDIT, HQEDIT, ULTRAEDIT].map(parquetFormat);
