import { ExportError } from './selection';
import type { ExportOptions } from './run';

/** Options of the formats written as shards of bounded size (parquet, webdataset). */
export interface ShardedExportOptions extends ExportOptions {
  /** Largest shard in MiB (default 1024); a single sample larger than this gets a shard of its own. */
  shardSizeMb?: number;
}

export const DEFAULT_SHARD_SIZE_MB = 1024;

export function shardBytes(shardSizeMb = DEFAULT_SHARD_SIZE_MB): number {
  if (!Number.isFinite(shardSizeMb) || shardSizeMb <= 0)
    throw new ExportError(`shard size must be a positive number of MB, not ${shardSizeMb}`);
  return Math.max(1, Math.round(shardSizeMb * 1024 * 1024));
}
