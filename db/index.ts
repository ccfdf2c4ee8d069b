import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema';
import { registerSearchFunctions } from './search-tokens';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** The migrations folder, found from the repo root (cwd) or beside this file. */
function migrationsFolder(): string {
  const candidates = [path.join(/*turbopackIgnore: true*/ process.cwd(), 'db', 'migrations')];
  try {
    candidates.push(path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations'));
  } catch {
    // import.meta.url is not a file URL inside some bundles; the cwd path is enough there.
  }
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'meta', '_journal.json')));
  if (!found) throw new Error(`Loupe: database migrations not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** Opens (creating if needed) a Loupe database file and brings its schema up to date. */
export function openDb(file: string): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -65536'); // 64 MiB page cache
  // Statement journals and sorts in memory: on disk they cost a temp-file write per row.
  sqlite.pragma('temp_store = MEMORY');
  registerSearchFunctions(sqlite); // the search's scan of items not indexed yet (lib/search)
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder: migrationsFolder() });
  return db;
}

export function dataDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.LOUPE_DATA_DIR || './data');
}

export function dbFile(): string {
  return path.join(dataDir(), 'loupe.db');
}

// Kept on globalThis so Next's dev-mode module reloads share one connection.
const holder = globalThis as unknown as { __loupeDb?: Db };

const CHECKPOINT_EVERY_MS = 1000;

/**
 * Checkpoints the WAL from a timer rather than inside whichever commit crosses the
 * threshold, so no request pays for copying the log back (it was the verdict's p99).
 */
export function checkpointOnTimer(db: Db): Db {
  db.$client.pragma('wal_autocheckpoint = 0');
  let failing = false;
  const timer = setInterval(() => {
    if (!db.$client.open) return clearInterval(timer); // the connection was closed
    try {
      db.$client.pragma('wal_checkpoint(PASSIVE)');
      failing = false;
    } catch (error) {
      // A full disk (SQLITE_FULL) or a busy database: the WAL keeps the data, the next tick tries
      // again. A throw here would be uncaught and end the process. Said once, not every second.
      if (!failing) console.error(`loupe: WAL checkpoint failed, retrying: ${error instanceof Error ? error.message : String(error)}`);
      failing = true;
    }
  }, CHECKPOINT_EVERY_MS).unref();
  return db;
}

/** The process's one connection, opened on first use (never at module load). */
export function getDb(): Db {
  holder.__loupeDb ??= checkpointOnTimer(openDb(dbFile()));
  return holder.__loupeDb;
}

export { schema };
