import type Database from 'better-sqlite3';
import type { Db } from './index';

const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/**
 * A prepared statement for this connection, prepared once. Used by hot paths (queue,
 * verdicts, import) where building a query per call would cost more than running it.
 * Params and Row are written by hand; statements.test.ts checks them against a migrated database.
 */
export function statement<Params extends unknown[] = unknown[], Row = unknown>(db: Db, sql: string) {
  let byText = cache.get(db.$client);
  if (!byText) cache.set(db.$client, (byText = new Map()));
  let prepared = byText.get(sql);
  if (!prepared) byText.set(sql, (prepared = db.$client.prepare(sql)));
  return prepared as Database.Statement<Params, Row>;
}
