import type { Db } from '@/db';
import { exportGptEdit } from './gpt-edit';
import { exportJsonl } from './jsonl';
import type { ExportFormat } from './formats';
import { exportParquet } from './parquet';
import type { ExportSummary } from './run';
import type { ShardedExportOptions } from './shards';
import { exportTraining, type TrainingExportOptions } from './training';
import { exportWebDataset } from './webdataset';

/** Options of every format; each format reads the ones it knows. */
export type AnyExportOptions = ShardedExportOptions & TrainingExportOptions;

const EXPORTERS: Record<ExportFormat, (db: Db, options: AnyExportOptions) => Promise<ExportSummary>> = {
  'gpt-edit': exportGptEdit,
  'gpt-image-edit-training': exportTraining,
  jsonl: exportJsonl,
  parquet: exportParquet,
  webdataset: exportWebDataset,
};

/** Exports the selected items in `format` (see each format's module), recording the run in `exports`. */
export function exportItems(db: Db, format: ExportFormat, options: AnyExportOptions): Promise<ExportSummary> {
  return EXPORTERS[format](db, options);
}
