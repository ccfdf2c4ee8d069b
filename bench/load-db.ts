/**
 * The load test's database: a dataset of N items built fast, cached per N under the OS temp
 * folder, and copied afresh for every run so runs are comparable.
 *
 * Building: the real importer imports the bundled samples (12 triplets), then SQL copies
 * those items (with their instruction versions and candidates, pointing at the same image
 * files) until the dataset holds N items, and item_counts is rebuilt for the dataset (bulk
 * inserts bypass the importer's per-batch counting). Users are added with `addUser`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openDb, type Db } from '@/db';
import { buildSearchIndex, searchReady } from '@/lib/search/build';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { addUser } from '@/lib/auth/users';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLES_DIR = path.join(REPO, 'samples', 'gpt-edit');
/** Bump when the way the template is built changes, so old caches are not reused. */
const BUILD_VERSION = 2;
/** Copies (of all template items) per write transaction. */
const COPIES_PER_TRANSACTION = 10_000;

export const BENCH_ROOT = path.join(os.tmpdir(), 'loupe-bench-load');
export const REVIEWER_PASSWORD = 'bench-load-password';
export const reviewerName = (i: number) => `bench-reviewer-${String(i + 1).padStart(3, '0')}`;
/** The lead who opens the Team page during the run. */
export const LEAD_NAME = 'bench-lead';
/** Actors of the seeded team history (verdicts on the dataset's last items, never claimed by the run). */
export const HISTORY_PREFIX = 'bench-history-';
/** Items with two review verdicts each in the seeded history: 100k verdicts, about 3 s of team statistics. */
const HISTORY_ITEMS = 50_000;
const HISTORY_REVIEWERS = 10;

const log = (message: string) => process.stderr.write(`[bench:load] ${message}\n`);

export interface Template {
  file: string;
  datasetId: number;
  items: number;
  /** Seconds spent building it now; 0 when it came from the cache. */
  buildSeconds: number;
}

/** The cached template database with `items` items and at least `reviewers` reviewer accounts. */
export async function templateDb(items: number, reviewers: number): Promise<Template> {
  const dir = path.join(BENCH_ROOT, `items-${items}-v${BUILD_VERSION}`);
  const file = path.join(dir, 'template.db');
  let buildSeconds = 0;
  if (!fs.existsSync(file)) {
    const start = performance.now();
    await buildTemplate(dir, file, items);
    buildSeconds = (performance.now() - start) / 1000;
  } else {
    log(`using the cached database ${file}`);
  }
  const db = openDb(file); // also brings an older cached schema up to date
  try {
    await ensureReviewers(db, reviewers);
    // A server that has run for a while has its search index: the run measures that steady state, not
    // the index's build after an import (on the offload worker; once per cached file, then a no-op).
    if (!searchReady(db)) {
      log('building the search index of the cached database (once)...');
      await buildSearchIndex(db);
    }
    const datasetId = db.$client.prepare('SELECT id FROM datasets ORDER BY id LIMIT 1').pluck().get() as number;
    const count = db.$client.prepare('SELECT count(*) FROM items WHERE dataset_id = ?').pluck().get(datasetId) as number;
    if (count !== items) throw new Error(`${file} holds ${count} items, expected ${items}: delete ${dir} and run again`);
    return { file, datasetId, items, buildSeconds };
  } finally {
    closeClean(db.$client);
  }
}

/** Checkpoints the whole WAL into the main file and closes, so the file can be copied alone. */
function closeClean(sqlite: Database.Database) {
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.close();
}

async function buildTemplate(dir: string, file: string, items: number) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  // The images live beside the database, so the cache folder is self-contained.
  const samples = path.join(dir, 'samples', 'gpt-edit');
  fs.cpSync(SAMPLES_DIR, samples, { recursive: true });
  const partial = path.join(dir, 'building.db');
  const db = openDb(partial);
  db.$client.pragma('cache_size = -1048576'); // 1 GiB while building: the indexes are written out of order
  const summary = await importGptEdit(db, samples, { dataset: 'bench-load' });
  if (summary.imported === 0) throw new Error('the bundled samples imported no items');
  if (items < summary.imported) throw new Error(`--items must be at least ${summary.imported} (the bundled samples)`);
  log(`imported ${summary.imported} sample items with importGptEdit; copying them to ${items.toLocaleString('en-US')} items...`);
  copyItems(db, summary.datasetId, items);
  seedTeamHistory(db, summary.datasetId, Math.min(HISTORY_ITEMS, Math.floor(items / 10)));
  closeClean(db.$client);
  fs.renameSync(partial, file);
}

/** Copies the dataset's items (and their versions and candidates) until it holds `total` items. */
function copyItems(db: Db, datasetId: number, total: number) {
  const sqlite = db.$client;
  // Templates numbered from 0 (j), their versions and candidates numbered from 1 (r) in id order.
  sqlite.exec(`
    CREATE TEMP TABLE t_items AS
      SELECT row_number() OVER (ORDER BY id) - 1 AS j, * FROM items WHERE dataset_id = ${datasetId};
    CREATE TEMP TABLE t_versions AS
      SELECT row_number() OVER (ORDER BY v.id) AS r, t.j, v.* FROM instruction_versions v JOIN t_items t ON t.id = v.item_id;
    CREATE TEMP TABLE t_candidates AS
      SELECT row_number() OVER (ORDER BY c.id) AS r, t.j, c.* FROM candidates c JOIN t_items t ON t.id = c.item_id;
    -- Where each template's current version and candidate are in that numbering.
    CREATE TEMP TABLE t_current AS
      SELECT t.j,
             (SELECT r FROM t_versions v WHERE v.id = t.current_instruction_id) AS version_r,
             (SELECT r FROM t_candidates c WHERE c.id = t.current_candidate_id) AS candidate_r
      FROM t_items t;
  `);
  const one = (sql: string) => sqlite.prepare(sql).pluck().get() as number;
  const T = one('SELECT count(*) FROM t_items');
  const NV = one('SELECT count(*) FROM t_versions');
  const NC = one('SELECT count(*) FROM t_candidates');
  if (one('SELECT count(*) FROM t_current WHERE version_r IS NULL OR candidate_r IS NULL') > 0) {
    throw new Error('a sample item points at a version or candidate of another item');
  }
  const base = {
    item: one('SELECT coalesce(max(id), 0) FROM items'),
    version: one('SELECT coalesce(max(id), 0) FROM instruction_versions'),
    candidate: one('SELECT coalesce(max(id), 0) FROM candidates'),
  };
  const copies = total - T; // copy c (0-based) is copy k = c / T of template j = c % T
  const rounds = Math.ceil(copies / T);
  // Copy k of template j: item id base.item + 1 + k*T + j; its r-th version base.version + k*NV + r.
  const params = { T, NV, NC, copies, bi: base.item, bv: base.version, bc: base.candidate };
  const seq = 'WITH RECURSIVE seq(k) AS (SELECT :from UNION ALL SELECT k + 1 FROM seq WHERE k + 1 < :to)';
  const externalId = `t.external_id || '-copy-' || printf('%07d', s.k + 1)`;
  const insertItems = sqlite.prepare(`${seq}
    INSERT INTO items (id, dataset_id, external_id, family, task, instruction_type, source_root_id, source_path,
      source_width, source_height, metadata, status, current_instruction_id, current_candidate_id, import_run_id)
    SELECT :bi + 1 + s.k * :T + t.j, t.dataset_id, ${externalId}, t.family, t.task, t.instruction_type,
      t.source_root_id, t.source_path, t.source_width, t.source_height, json_set(t.metadata, '$.id', ${externalId}),
      'pending', :bv + s.k * :NV + cur.version_r, :bc + s.k * :NC + cur.candidate_r, t.import_run_id
    FROM seq s CROSS JOIN t_items t JOIN t_current cur ON cur.j = t.j
    WHERE s.k * :T + t.j < :copies ORDER BY s.k, t.j`);
  const insertVersions = sqlite.prepare(`${seq}
    INSERT INTO instruction_versions (id, item_id, kind, text, created_by)
    SELECT :bv + s.k * :NV + v.r, :bi + 1 + s.k * :T + v.j, v.kind, v.text, v.created_by
    FROM seq s CROSS JOIN t_versions v WHERE s.k * :T + v.j < :copies ORDER BY s.k, v.r`);
  const insertCandidates = sqlite.prepare(`${seq}
    INSERT INTO candidates (id, item_id, origin, root_id, path, width, height, provenance)
    SELECT :bc + s.k * :NC + c.r, :bi + 1 + s.k * :T + c.j, c.origin, c.root_id, c.path, c.width, c.height, c.provenance
    FROM seq s CROSS JOIN t_candidates c WHERE s.k * :T + c.j < :copies ORDER BY s.k, c.r`);
  const copyRounds = sqlite.transaction((from: number, to: number) => {
    const p = { ...params, from, to };
    insertItems.run(p);
    insertVersions.run(p);
    insertCandidates.run(p);
  });
  const start = performance.now();
  let lastLog = start;
  for (let from = 0; from < rounds; from += COPIES_PER_TRANSACTION) {
    const to = Math.min(rounds, from + COPIES_PER_TRANSACTION);
    copyRounds(from, to);
    if (performance.now() - lastLog > 5000 || to === rounds) {
      lastLog = performance.now();
      const done = Math.min(copies, to * T) + T;
      const rate = (done - T) / ((lastLog - start) / 1000);
      log(
        `  ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} items (${Math.round(rate).toLocaleString('en-US')} copies/s)`,
      );
    }
  }
  // item_counts: inserts are counted by the importer's BatchWriter, not by a trigger.
  sqlite
    .transaction(() => {
      sqlite.prepare('DELETE FROM item_counts WHERE dataset_id = ?').run(datasetId);
      sqlite
        .prepare(
          `INSERT INTO item_counts (dataset_id, family, task, instruction_type, status, n)
           SELECT dataset_id, family, task, instruction_type, status, count(*) FROM items WHERE dataset_id = ?
           GROUP BY dataset_id, family, task, instruction_type, status`,
        )
        .run(datasetId);
      sqlite.prepare('UPDATE import_runs SET imported = ? WHERE dataset_id = ?').run(total, datasetId);
    })
    .immediate();
  sqlite.exec('DROP TABLE t_items; DROP TABLE t_versions; DROP TABLE t_candidates; DROP TABLE t_current;');
  checkCopy(sqlite, datasetId, total);
}

/**
 * A team's past work for the Team page to measure: two review verdicts by different history
 * reviewers on each of the dataset's last `count` items (the end of every family/task in queue
 * order, which a run never reaches), 85% agreeing, spread over the last 30 days. The items stay
 * pending: the statistics read verdicts, and the run's checks leave these actors out.
 */
function seedTeamHistory(db: Db, datasetId: number, count: number) {
  const sqlite = db.$client;
  const now = Date.now();
  sqlite
    .prepare(
      `WITH last AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM items WHERE dataset_id = :datasetId ORDER BY id DESC LIMIT :count),
       pairs AS (SELECT id, n, ((id * 2654435761) % 1000003) % 100 AS r FROM last),
       two AS (SELECT id, n, r, 0 AS k FROM pairs UNION ALL SELECT id, n, r, 1 FROM pairs)
       INSERT INTO verdicts (item_id, reviewer, decision, reasons, ms_spent, kind, created_at)
       SELECT id, :prefix || printf('%02d', 1 + (n + k * (1 + n % (:reviewers - 1))) % :reviewers),
              CASE WHEN (r < 80) = (k = 0 OR r % 7 != 0) THEN 'accept' ELSE 'reject' END,
              '[]', 4000, 'review', :now - (n * 2592000000 / :count) - k * 60000
       FROM two ORDER BY n, k`,
    )
    .run({ datasetId, count, prefix: HISTORY_PREFIX, reviewers: HISTORY_REVIEWERS, now });
  log(`seeded ${(2 * count).toLocaleString('en-US')} review verdicts of team history on the last ${count.toLocaleString('en-US')} items`);
}

/** The copy is consistent: N items, counted exactly, each pointing at its own version and candidate. */
function checkCopy(sqlite: Database.Database, datasetId: number, total: number) {
  const one = (sql: string) => sqlite.prepare(sql).pluck().get(datasetId) as number;
  const items = one('SELECT count(*) FROM items WHERE dataset_id = ?');
  const counted = one('SELECT sum(n) FROM item_counts WHERE dataset_id = ?');
  const badPointers = one(
    `SELECT count(*) FROM items i
     LEFT JOIN instruction_versions v ON v.id = i.current_instruction_id AND v.item_id = i.id
     LEFT JOIN candidates c ON c.id = i.current_candidate_id AND c.item_id = i.id
     WHERE i.dataset_id = ? AND (v.id IS NULL OR c.id IS NULL)`,
  );
  if (items !== total || counted !== total || badPointers !== 0) {
    throw new Error(
      `bulk copy is inconsistent: ${items} items, ${counted} counted, ${badPointers} with a foreign current version/candidate`,
    );
  }
}

/** Reviewer accounts (annotators) bench-reviewer-001.. with one password; missing ones are added. */
async function ensureReviewers(db: Db, reviewers: number) {
  const exists = db.$client.prepare('SELECT 1 FROM users WHERE username = ?').pluck();
  if (!exists.get(LEAD_NAME)) await addUser(db, { username: LEAD_NAME, roles: ['lead'], password: REVIEWER_PASSWORD });
  const missing = Array.from({ length: reviewers }, (_, i) => reviewerName(i)).filter((name) => !exists.get(name));
  if (!missing.length) return;
  log(`adding ${missing.length} reviewer accounts (addUser hashes each password)...`);
  for (const username of missing) await addUser(db, { username, roles: ['annotator'], password: REVIEWER_PASSWORD });
}

/** A fresh copy of the template as `<dataDir>/loupe.db` (the server's LOUPE_DATA_DIR layout). */
export function copyForRun(template: Template, dataDir: string): string {
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'loupe.db');
  fs.copyFileSync(template.file, file);
  return file;
}
