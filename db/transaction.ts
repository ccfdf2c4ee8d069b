import type { Db } from './index';

/**
 * The two kinds of transaction Loupe opens. db/transaction.test.ts scans the source and fails
 * on any other (a deferred transaction that reads and then writes fails with SQLITE_BUSY when
 * another process committed in between: the busy timeout cannot help a read lock upgrade).
 */

/**
 * A write transaction, started IMMEDIATE: it takes the write lock before its first read, so a
 * second writer (another import, the server) waits on the busy timeout instead of failing.
 */
export function writeTransaction<T>(db: Db, write: () => T): T {
  return db.$client.transaction(write).immediate();
}

/**
 * A read-only snapshot (several queries that must agree). It cannot write: `query_only` makes
 * any write inside it fail loudly, so it never needs the write lock. Inside another
 * transaction it simply runs there (that one already is a snapshot).
 */
export function readTransaction<T>(db: Db, read: () => T): T {
  const sqlite = db.$client;
  if (sqlite.inTransaction) return read();
  sqlite.pragma('query_only = ON');
  try {
    return sqlite.transaction(read).deferred();
  } finally {
    sqlite.pragma('query_only = OFF');
  }
}
