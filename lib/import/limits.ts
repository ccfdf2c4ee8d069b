/**
 * Caps on what one imported record may hold. Each can be changed with an environment
 * variable (for a dataset that really needs more) or per import in ImportOptions.limits.
 */
export interface ImportLimits {
  /**
   * Bytes of one record's source text (a JSON record, a CSV line, a parquet row as stored).
   * Real records are a few KB (HQ-Edit's long captions included); 1 MiB leaves 200x headroom
   * and keeps a 2000-record batch and the record splitters small whatever the file holds.
   */
  maxRecordBytes: number;
  /**
   * Nesting depth of a record (`{}` is 1). Real records nest 3 deep; SQLite's JSON functions
   * fail beyond 1000 levels, and a failing json_extract index would abort the whole batch.
   */
  maxDepth: number;
  /**
   * Characters of one instruction: the same limit as an instruction written on the review
   * page (instructionEditRequest in lib/api/reviews.ts), so an imported instruction
   * never exceeds what a person may type. The longest real ones (GPT-4o "complex" rewrites)
   * are well under 1,000.
   */
  maxInstructionChars: number;
}

export const DEFAULT_LIMITS: ImportLimits = {
  maxRecordBytes: 1 << 20,
  maxDepth: 64,
  maxInstructionChars: 4000,
};

const ENV: Record<keyof ImportLimits, string> = {
  maxRecordBytes: 'LOUPE_MAX_RECORD_BYTES',
  maxDepth: 'LOUPE_MAX_RECORD_DEPTH',
  maxInstructionChars: 'LOUPE_MAX_INSTRUCTION_CHARS',
};

/** The limits in force: `overrides`, else the environment, else the defaults. */
export function importLimits(overrides: Partial<ImportLimits> = {}): ImportLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(ENV) as (keyof ImportLimits)[]) {
    const fromEnv = process.env[ENV[key]];
    if (fromEnv !== undefined && fromEnv !== '') {
      const value = Number(fromEnv);
      if (!Number.isInteger(value) || value <= 0) throw new Error(`${ENV[key]} must be a positive integer, not ${JSON.stringify(fromEnv)}`);
      limits[key] = value;
    }
    if (overrides[key] !== undefined) limits[key] = overrides[key]!;
  }
  return limits;
}

/** 1048576 -> "1 MiB", 4096 -> "4 KiB", 100 -> "100 bytes": for problem messages. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
