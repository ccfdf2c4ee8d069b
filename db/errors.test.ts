import { describe, expect, it } from 'vitest';
import { handle } from '@/lib/http/handler';
import { DISK_FULL_MESSAGE, diskFullMessage, isDiskFull, storageErrorMessage, WRITE_FAILED_MESSAGE } from './errors';

const sqliteError = (code: string) =>
  Object.assign(new Error(code === 'SQLITE_FULL' ? 'database or disk is full' : 'disk I/O error'), { code });

describe('storage errors', () => {
  it('says "full" only for a full disk; a write SQLite saw fail otherwise is "full or failing"', async () => {
    expect(isDiskFull(sqliteError('SQLITE_FULL'))).toBe(true);
    expect(isDiskFull(sqliteError('SQLITE_IOERR_WRITE'))).toBe(true);
    expect(isDiskFull(sqliteError('SQLITE_BUSY'))).toBe(false);
    expect(storageErrorMessage(sqliteError('SQLITE_FULL'))).toBe(DISK_FULL_MESSAGE);
    expect(storageErrorMessage(new Error('wrapped', { cause: sqliteError('SQLITE_IOERR_WRITE') }))).toBe(WRITE_FAILED_MESSAGE);
    expect(diskFullMessage(sqliteError('SQLITE_IOERR_WRITE'))).toBe(WRITE_FAILED_MESSAGE);
    const response = await handle(() => {
      throw sqliteError('SQLITE_IOERR_WRITE');
    });
    expect(response.status).toBe(507);
    expect((await response.json()).error).toBe(WRITE_FAILED_MESSAGE);
  });
});
