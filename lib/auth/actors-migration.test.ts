/**
 * Migration 0009: rows written before it named people by username; after it they name the
 * user id, and values that match no account stay readable labels.
 */
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cleanupTemp, SAMPLES_DIR, tempDir } from '@/lib/test/factories';
import { openDb } from '@/db';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { itemHistory } from '@/lib/review/history';
import { teamStats } from '@/lib/team/stats';
import { addUser } from './users';

afterEach(cleanupTemp);

const MIGRATIONS = path.resolve(import.meta.dirname, '../../db/migrations');

/** A copy of the migrations folder that stops before `tag`. */
function migrationsBefore(tag: string): string {
  const dir = path.join(tempDir('loupe-migrations-'), 'migrations');
  fs.cpSync(MIGRATIONS, dir, { recursive: true });
  const journalFile = path.join(dir, 'meta/_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8'));
  const at = journal.entries.findIndex((e: { tag: string }) => e.tag === tag);
  expect(at).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, at);
  fs.writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

it('0009 moves usernames to user ids and keeps unknown names and labels as written', async () => {
  const file = path.join(tempDir('loupe-0009-'), 'loupe.db');
  // The database as it was before 0009, with rows that name people by username.
  const before = drizzle(new Database(file));
  migrate(before, { migrationsFolder: migrationsBefore('0009_actor_ids') });
  before.$client.close();
  let db = openDbBefore(file);
  const { datasetId } = await importGptEdit(db, SAMPLES_DIR);
  const ana = await addUser(db, { username: 'ana', roles: ['annotator', 'lead'], password: 'long enough pw' });
  const sql = db.$client;
  sql
    .prepare(
      `INSERT INTO verdicts (item_id, reviewer, decision, kind, created_at) VALUES (1, 'ana', 'accept', 'review', 1), (1, 'ghost', 'reject', 'review', 2)`,
    )
    .run();
  sql.prepare(`INSERT INTO comments (item_id, author, body, created_at) VALUES (1, 'ana', 'hi', 3), (1, 'ghost', 'boo', 4)`).run();
  sql
    .prepare(
      `INSERT INTO jobs (kind, item_id, params, requested_by) VALUES ('rewrite', 1, '{}', 'ana'), ('regenerate', 1, '{}', 'cli:carol')`,
    )
    .run();
  const rewrite = Number(
    sql
      .prepare(`INSERT INTO instruction_versions (item_id, kind, text, created_by) VALUES (1, 'rewrite', 'x', 'gpt-4o (asked by ana)')`)
      .run().lastInsertRowid,
  );
  sql.prepare('UPDATE jobs SET result_instruction_id = ? WHERE requested_by = ?').run(rewrite, 'ana');
  sql.prepare(`INSERT INTO instruction_versions (item_id, kind, text, created_by) VALUES (1, 'human', 'y', 'ana')`).run();
  sql.prepare(`INSERT INTO gold_items (item_id, dataset_id, expected, created_by) VALUES (2, ?, 'accept', 'ana')`).run(datasetId);
  sql
    .prepare(
      `INSERT INTO exports (format, filter, out_path, created_by, started_at) VALUES ('jsonl', '{}', '/tmp/a', 'web:ana', 1), ('jsonl', '{}', '/tmp/b', 'cli:carol', 1)`,
    )
    .run();
  sql.prepare(`UPDATE items SET lease_holder = ?, lease_reviewer = 'ana', lease_expires_at = 9e15 WHERE id = 3`).run(`${ana.id}:tab`);
  sql.close();

  db = openDb(file); // applies 0009
  const column = (query: string) => db.$client.prepare(query).pluck().all();
  expect(column('SELECT reviewer FROM verdicts ORDER BY id')).toEqual([ana.id, 'ghost']);
  expect(column('SELECT author FROM comments ORDER BY id')).toEqual([ana.id, 'ghost']);
  expect(column('SELECT requested_by FROM jobs ORDER BY id')).toEqual([ana.id, 'cli:carol']);
  expect(column(`SELECT created_by FROM instruction_versions WHERE created_by IS NOT NULL ORDER BY id`)).toEqual(['gpt-4o', ana.id]);
  expect(column('SELECT created_by FROM gold_items')).toEqual([ana.id]);
  expect(column('SELECT created_by FROM exports ORDER BY id')).toEqual([ana.id, 'cli:carol']);
  expect(column('SELECT lease_reviewer FROM items WHERE id = 3')).toEqual([ana.id]);

  // Renamed afterwards, ana's work follows her; the unknown name reads as written.
  db.$client.prepare(`UPDATE users SET username = 'ana-b' WHERE id = ?`).run(ana.id);
  const actors = itemHistory(db, 1).map((e) => e.actor);
  expect(actors).toContain('ana-b');
  expect(actors).toContain('ghost');
  expect(actors).toContain('gpt-4o');
  expect(actors).not.toContain('ana');
  const stats = teamStats(db, { datasetId, bootstrap: { iterations: 10 } })!;
  expect(stats.annotators.map((a) => [a.reviewer, a.verdicts])).toEqual([
    ['ana-b', 1],
    ['ghost', 1],
  ]);
  db.$client.close();
});

/** Opens the pre-0009 database without migrating it further. */
function openDbBefore(file: string) {
  return drizzle(new Database(file), { schema: {} }) as unknown as ReturnType<typeof openDb>;
}

it('the review item names who wrote each instruction and who asked for each regeneration by current username', async () => {
  const db = openDb(path.join(tempDir('loupe-actors-'), 'loupe.db'));
  await importGptEdit(db, SAMPLES_DIR);
  const bo = await addUser(db, { username: 'bo', roles: ['annotator'], password: 'long enough pw' });
  const sql = db.$client;
  const { getReviewItem, addHumanInstruction } = await import('@/lib/review/items');
  const rewrite = Number(
    sql.prepare(`INSERT INTO instruction_versions (item_id, kind, text, created_by) VALUES (1, 'rewrite', 'x', 'gpt-4o')`).run()
      .lastInsertRowid,
  );
  const job = Number(
    sql
      .prepare(`INSERT INTO jobs (kind, item_id, params, requested_by, result_instruction_id) VALUES ('rewrite', 1, '{}', ?, ?)`)
      .run(bo.id, rewrite).lastInsertRowid,
  );
  const source = sql.prepare('SELECT root_id, path FROM candidates WHERE item_id = 1').get() as { root_id: number; path: string };
  sql
    .prepare(
      `INSERT INTO candidates (item_id, origin, root_id, path, width, height, provenance, job_id) VALUES (1, 'regenerated', ?, ?, 8, 8, ?, ?)`,
    )
    .run(source.root_id, source.path, JSON.stringify({ model: 'gpt-image-1', requestedBy: bo.id }), job);
  expect(addHumanInstruction(db, 1, 'Make it pink.', bo.id).createdBy).toBe('bo');
  sql.prepare(`UPDATE users SET username = 'bo-2' WHERE id = ?`).run(bo.id);

  const item = getReviewItem(db, 1)!;
  expect(item.instructions.filter((i) => i.createdBy).map((i) => i.createdBy)).toEqual(['gpt-4o (asked by bo-2)', 'bo-2']);
  expect(item.candidates.find((c) => c.origin === 'regenerated')!.provenance.requestedBy).toBe('bo-2');
  // Exports name the deciding verdict's reviewer by username.
  sql.prepare(`INSERT INTO verdicts (item_id, reviewer, decision, kind, created_at) VALUES (1, ?, 'accept', 'review', 5)`).run(bo.id);
  const { decidingVerdict } = await import('@/lib/review/decided');
  expect(decidingVerdict(db, 1, 'accepted')!.reviewer).toBe('bo-2');
  // The verdict-reviewer filter takes a username: the current one finds bo's verdicts, the old one nothing.
  sql.prepare(`UPDATE items SET status = 'accepted' WHERE id = 1`).run();
  const { listItems } = await import('@/lib/review/items');
  const byReviewer = (reviewer: string) =>
    listItems(db, { datasetId: 1, reviewer, status: 'accepted' }, undefined, 10).rows.map((r) => r.id);
  expect(byReviewer('bo-2')).toEqual([1]);
  expect(byReviewer('bo')).toEqual([]);
  db.$client.close();
});
