/**
 * A write that failed because the disk (or the quota, or the file size limit) is full, from
 * SQLite (SQLITE_FULL; SQLITE_IOERR_WRITE is how a failed write of the WAL or a page shows) or
 * from a file write (ENOSPC, EDQUOT, EFBIG). Callers answer it with a clear message (HTTP 507,
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

/** The CLI's line for a full disk: a file write names the file (an export's folder may be on another disk). */
export function diskFullMessage(error: unknown): string {
  for (let e = error; e instanceof Error; e = e.cause) {
    const { code, path } = e as NodeJS.ErrnoException;
    if (path && (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG')) {
      return `no space left to write ${path} (${code}): free some space on that disk and run it again`;
    }
  }
  return DISK_FULL_MESSAGE;
}
