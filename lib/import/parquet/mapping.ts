import type { EmbeddedImage } from './images';
import type { Row } from './shard';

/** Where a row sits: the shard's file name without `.parquet`, and its 0-based row in the file. */
export interface RowPosition {
  shard: string;
  row: number;
}

/** One item a row yields, before its images are attached. */
export interface ItemDraft {
  externalId: string;
  task: string;
  /** Instruction texts; the FIRST is the current one. */
  instructions: string[];
  /** The column the instructions come from, naming it in problems. */
  instructionField: string;
  /** The image columns holding the source and the edited image. */
  source: string;
  output: string;
  /** Fields stored beside the row's own in the item's record (input_description, mask, ...). */
  extra?: Record<string, unknown>;
}

/** An item a row should have yielded but cannot, and why. */
export interface SkippedItem {
  externalId: string | number;
  problem: string;
}

/** How the rows of one Hugging Face dataset's parquet shards become Loupe items. */
export interface DatasetMapping {
  /** `--format` name. */
  format: string;
  description: string;
  family: string;
  /** Dataset name when `--dataset` is not given. */
  defaultDataset: string;
  /** Columns every shard of this dataset has (auto-detection looks for them). */
  requiredColumns: string[];
  /** Image columns, stored before the row is mapped; an optional one may be empty. */
  images: { column: string; optional?: boolean }[];
  /** Columns that are enough to know a row's item ids: read alone first, to skip finished row groups. */
  idColumns: string[];
  /** The ids of the items a row yields (none when the row has no usable id: it is reported and skipped). */
  itemIds(row: Row, at: RowPosition): string[];
  /** The items of a row, checked before any of its images is stored. */
  toItems(row: Row, at: RowPosition): (ItemDraft | SkippedItem)[];
  /** Fields that refer to the row's stored images (a mask), added to each of its items' records. */
  imageFields?(images: StoredImages): Record<string, unknown>;
}

/** A row's stored images by column; an optional column with no image is absent. */
export type StoredImages = Record<string, EmbeddedImage | undefined>;

/** A trimmed non-empty string, or undefined. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** An id column's value (string or integer) as a string, or undefined. */
export function idText(value: unknown): string | undefined {
  if (typeof value === 'bigint' || (typeof value === 'number' && Number.isFinite(value))) return String(value);
  return text(value);
}
