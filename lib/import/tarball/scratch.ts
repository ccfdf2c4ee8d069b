import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * The pairing's working state outside the JS heap: a throwaway SQLite file of its own, beside
 * Loupe's database (the data disk, not a tmpfs in memory), with its own connection. It holds
 * every image key seen with its stored reference (the release has 3.1M images: about 1.5 GB
 * as a Map) and the records parked while they wait for an image once the waiting records
 * in memory reach their cap. Nothing in it must survive the import: no journal, no syncs;
 * the file is deleted at the end, and one left by a killed import is deleted by the next.
 */
export class Scratch {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly insertImage: Database.Statement<[string, string]>;
  private readonly getImage: Database.Statement<[string], string | undefined>;
  private readonly insertParked: Database.Statement<[string, string]>;
  private readonly takeParked: Database.Statement<[string], string>;
  private readonly parkedPage: Database.Statement<[number, number], { id: number; record: string }>;

  constructor(dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    removeAbandoned(dir);
    this.file = path.join(dir, `${PREFIX}${process.pid}-${crypto.randomUUID()}.db`);
    this.db = new Database(this.file);
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.exec(`
      CREATE TABLE images (key TEXT PRIMARY KEY, known TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE parked (id INTEGER PRIMARY KEY, key TEXT NOT NULL, record TEXT NOT NULL);
      CREATE INDEX parked_key ON parked (key);
    `);
    this.insertImage = this.db.prepare('INSERT OR IGNORE INTO images (key, known) VALUES (?, ?)');
    this.getImage = this.db.prepare<[string], string | undefined>('SELECT known FROM images WHERE key = ?').pluck();
    this.insertParked = this.db.prepare('INSERT INTO parked (key, record) VALUES (?, ?)');
    this.takeParked = this.db.prepare<[string], string>('DELETE FROM parked WHERE key = ? RETURNING record').pluck();
    this.parkedPage = this.db.prepare('SELECT id, record FROM parked WHERE id > ? ORDER BY id LIMIT ?');
  }

  /**
   * Runs `fn` in one transaction (batched inserts and lookups: one commit per batch, not per row).
   * IMMEDIATE like every write transaction in Loupe, though this file has one connection only.
   */
  inBatch<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Adds an image; false when its key is already there (a duplicate member: the first one stays). */
  addImage(key: string, known: string): boolean {
    return this.insertImage.run(key, known).changes > 0;
  }

  image(key: string): string | undefined {
    return this.getImage.get(key);
  }

  park(key: string, record: string) {
    this.insertParked.run(key, record);
  }

  /** The records parked waiting for this key, removed. */
  takeWaiting(key: string): string[] {
    return this.takeParked.all(key);
  }

  /** Every parked record, a page at a time (the end: those whose image never came by). */
  *parked(pageSize = 1000): Generator<string> {
    for (let after = 0; ;) {
      const page = this.parkedPage.all(after, pageSize);
      if (page.length === 0) return;
      for (const row of page) yield row.record;
      after = page.at(-1)!.id;
    }
  }

  /** Closes and deletes the file. */
  dispose() {
    if (this.db.open) this.db.close();
    fs.rmSync(this.file, { force: true });
  }
}

const PREFIX = '.loupe-tarball-scratch-';

/** Deletes scratch files of imports that were killed (their process is gone). */
function removeAbandoned(dir: string) {
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length).split('-')[0]);
    if (pid !== process.pid && !alive(pid)) fs.rmSync(path.join(dir, name), { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
