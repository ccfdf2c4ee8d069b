/**
 * A write that failed because the disk (or the quota, or the file size limit) is full, from
 * SQLite (SQLITE_FULL) or from a file write (ENOSPC, EDQUOT, EFBIG); and SQLite's
 * SQLITE_IOERR_WRITE, a failed write of the WAL or a page whose cause SQLite does not name (its
 * message says so: storageErrorMessage). Callers answer it with a clear message (HTTP 507,
 * a CLI line) rather than as an internal error.
 */
const DISK_FULL_CODES = new Set(['SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'ENOSPC', 'EDQUOT', 'EFBIG']);

export function isDiskFull(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    if (DISK_FULL_CODES.has((e as { code?: string }).code ?? '')) return true;
  }
  return false;
}

export const DISK_FULL_MESSAGE =
  "the disk holding Loupe's data is full (or over its quota): nothing more can be saved until space is freed";

/** SQLITE_IOERR_WRITE: SQLite reports ENOSPC as SQLITE_FULL, so this is a write that failed otherwise (often a full disk, or a failing one). */
export const WRITE_FAILED_MESSAGE =
  "could not write to the disk holding Loupe's data (it may be full or failing): nothing more can be saved until that is fixed";

/** The message for an error isDiskFull accepts: a full disk, or a write that failed for a reason SQLite does not name. */
export function storageErrorMessage(error: unknown): string {
  for (let e = error; e instanceof Error; e = e.cause) {
    if ((e as { code?: string }).code === 'SQLITE_IOERR_WRITE') return WRITE_FAILED_MESSAGE;
  }
  return DISK_FULL_MESSAGE;
}

/** The CLI's line for a full disk: a file write names the file (an export's folder may be on another disk). */
export function diskFullMessage(error: unknown): string {
  for (let e = error; e instanceof Error; e = e.cause) {
    const { code, path } = e as NodeJS.ErrnoException;
    if (path && (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG')) {
      return `no space left to write ${path} (${code}): free some space on that disk and run it again`;
    }
  }
  return storageErrorMessage(error);
}
