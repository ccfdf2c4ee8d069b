import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Db } from '@/db';
import { statement } from '@/db/statements';
import type { InstructionKind, ItemStatus } from '@/db/schema';
import packageJson from '@/package.json';
import { getDataset } from '../datasets';
import { checkRelativePath, resolveInRoot } from '../images/paths';

export type ExportStatus = ItemStatus | 'all';

export interface ExportOptions {
  out: string;
  status?: ExportStatus;
  datasetId?: number;
  family?: string;
  task?: string;
  onProgress?: (done: number, total: number) => void;
}

/** The selection, as written to the manifest and the summary (null: not filtered). */
export interface ExportFilter {
  status: ExportStatus;
  dataset: string | null;
  family: string | null;
  task: string | null;
}

export interface ExportProblem {
  /** The record's id (items.external_id). */
  item: string;
  reason: string;
}

export interface ExportSummary {
  out: string;
  format: 'gpt-edit';
  filter: ExportFilter;
  /** Records written. */
  items: number;
  /** Data files written (images and metadata files; the manifest is not counted). */
  files: number;
  /** Records left out; `problems` lists the first MAX_PROBLEMS of them. */
  skipped: number;
  problems: ExportProblem[];
  seconds: number;
}

/** The export cannot start (unknown dataset, unsafe output folder): the CLI exits non-zero. */
export class ExportError extends Error {}

const PAGE = 1000;
// A moved dataset folder makes every record a problem: keep the summary small.
const MAX_PROBLEMS = 1000;
const MANIFEST = 'manifest.json';
const FLUSH_BYTES = 1 << 20;

interface ItemRow {
  id: number;
  external_id: string;
  status: ItemStatus;
  source_root_id: number;
  source_path: string;
  metadata: string;
  current_candidate_id: number;
  current_instruction_id: number;
}

interface Version {
  id: number;
  kind: InstructionKind;
  text: string;
}

/** One image of a record: where it comes from and where it goes in the task folder. */
interface ImageFile {
  field: 'input' | 'output';
  from: string;
  /** Path relative to the task folder, as written in the record. */
  rel: string;
}

/**
 * Writes the selected items in the GPT-Image-Edit-1.5M layout the importer reads:
 * `out/<family>/<task>/{input,output,metadata/<family>_<task>.json}` plus `out/manifest.json`.
 * Records carry the chosen instruction and edited image (see `buildRecord`); images are
 * copied, never linked. Memory stays bounded whatever the size: items are read in keyset
 * pages, metadata files are written as streams, and the list of written files lives in a
 * temporary SQLite database rather than in memory.
 */
export async function exportGptEdit(db: Db, options: ExportOptions): Promise<ExportSummary> {
  const started = performance.now();
  const out = path.resolve(options.out);
  const status = options.status ?? 'accepted';
  const filter = describeFilter(db, options, status);
  const groups = listTaskGroups(db, options, status);
  const total = groups.reduce((sum, g) => sum + g.n, 0);

  await prepareOutDir(db, out);
  const createdAt = new Date().toISOString();
  // Written first so an interrupted export is still recognised (and may be overwritten).
  const stub = manifestHead({ filter, createdAt, counts: { items: 0, files: 0 }, inProgress: true });
  await fs.promises.writeFile(path.join(out, MANIFEST), stub + ']\n}\n');

  const run = new ExportRun(db, out, status);
  try {
    options.onProgress?.(0, total);
    for (const group of groups) {
      await run.exportTask(group, () => options.onProgress?.(run.done, total));
    }
    await run.writeManifest(filter, createdAt);
    options.onProgress?.(run.done, total);
    return {
      out,
      format: 'gpt-edit',
      filter,
      items: run.items,
      files: run.files.count(),
      skipped: run.skipped,
      problems: run.problems,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    run.files.close();
  }
}

function describeFilter(db: Db, options: ExportOptions, status: ExportStatus): ExportFilter {
  let dataset: string | null = null;
  if (options.datasetId !== undefined) {
    const found = getDataset(db, options.datasetId);
    if (!found) throw new ExportError(`no dataset with id ${options.datasetId}`);
    dataset = found.name;
  }
  return { status, dataset, family: options.family ?? null, task: options.task ?? null };
}

interface TaskGroup {
  family: string;
  task: string;
  datasetIds: number[];
  n: number;
}

/** The (family, task) folders to write, in order, with the datasets that have items there (from item_counts). */
function listTaskGroups(db: Db, options: ExportOptions, status: ExportStatus): TaskGroup[] {
  const terms: string[] = [];
  const params: (string | number)[] = [];
  const add = (term: string, value: string | number | undefined) => {
    if (value === undefined) return;
    terms.push(term);
    params.push(value);
  };
  add('dataset_id = ?', options.datasetId);
  add('status = ?', status === 'all' ? undefined : status);
  add('family = ?', options.family);
  add('task = ?', options.task);
  const rows = db.$client
    .prepare<unknown[], { family: string; task: string; dataset_id: number; n: number }>(
      `SELECT family, task, dataset_id, sum(n) AS n FROM item_counts
       ${terms.length ? `WHERE ${terms.join(' AND ')}` : ''}
       GROUP BY family, task, dataset_id HAVING sum(n) > 0
       ORDER BY family, task, dataset_id`,
    )
    .all(...params);
  const groups: TaskGroup[] = [];
  for (const row of rows) {
    const last = groups.at(-1);
    if (last && last.family === row.family && last.task === row.task) {
      last.datasetIds.push(row.dataset_id);
      last.n += row.n;
    } else {
      groups.push({ family: row.family, task: row.task, datasetIds: [row.dataset_id], n: row.n });
    }
  }
  return groups;
}

/**
 * Makes sure `out` may be written: created when missing, refused when it holds anything
 * but a Loupe export, or when it holds images Loupe reads from (an imported export).
 * An earlier export's task folders are removed so nothing stale survives.
 */
async function prepareOutDir(db: Db, out: string) {
  const roots = db.$client.prepare<[], string>('SELECT path FROM image_roots').pluck().all();
  for (const root of roots) {
    const rel = path.relative(out, root);
    if (rel === '' || (rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel))) {
      throw new ExportError(`${out} holds images of an imported dataset (${root}); export to another folder`);
    }
  }
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(out, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return void (await fs.promises.mkdir(out, { recursive: true }));
    if (code === 'ENOTDIR') throw new ExportError(`${out} is a file, not a folder`);
    throw error;
  }
  if (entries.length === 0) return;
  if (!(await isLoupeManifest(path.join(out, MANIFEST)))) {
    throw new ExportError(`${out} is not empty and is not a Loupe export (no Loupe ${MANIFEST}); choose a new or empty folder`);
  }
  // Only task folders (<family>/<task> with a metadata folder) are ours; leave anything else.
  for (const family of entries.filter((e) => e.isDirectory())) {
    const familyDir = path.join(out, family.name);
    for (const task of await fs.promises.readdir(familyDir, { withFileTypes: true })) {
      const taskDir = path.join(familyDir, task.name);
      if (task.isDirectory() && fs.existsSync(path.join(taskDir, 'metadata'))) {
        await fs.promises.rm(taskDir, { recursive: true, force: true });
      }
    }
    if ((await fs.promises.readdir(familyDir)).length === 0) await fs.promises.rmdir(familyDir);
  }
}

/** Reads only the start of the file: a manifest lists every file and can be large. */
async function isLoupeManifest(file: string): Promise<boolean> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch {
    return false;
  }
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(256), 0, 256, 0);
    return /^\s*\{\s*"tool"\s*:\s*"loupe"/.test(buffer.toString('utf8', 0, bytesRead));
  } finally {
    await handle.close();
  }
}

function manifestHead(fields: { filter: ExportFilter; createdAt: string; counts: { items: number; files: number }; inProgress?: boolean }) {
  const head = JSON.stringify({ tool: 'loupe', version: packageJson.version, format: 'gpt-edit', ...fields }, null, 2);
  return head.slice(0, -2) + ',\n  "files": ['; // drop the closing "\n}" to stream the files array after it
}

/** A folder or file name taken from data: one plain path segment, never `..` or a separator. */
function safeSegment(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

/** The path an image keeps in the export: its own when safe (always, for imported items), else a made-up one. */
function exportPath(rel: string, folder: string, name: string): string {
  const checked = checkRelativePath(rel);
  return checked.ok ? checked.path : `${folder}/${name}${path.extname(rel)}`;
}

class ExportRun {
  done = 0;
  items = 0;
  skipped = 0;
  readonly problems: ExportProblem[] = [];
  readonly files = new WrittenFiles();
  private readonly roots = new Map<number, string>();
  private madeDirs = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly out: string,
    private readonly status: ExportStatus,
  ) {}

  /** Writes one task folder: its records in id order, merged across datasets. */
  async exportTask(group: TaskGroup, onPage: () => void) {
    const { family, task } = group;
    const dir = `${family}/${task}`;
    const folderOk = safeSegment(family) && safeSegment(task);
    this.madeDirs = new Set();
    let metadata: JsonArrayWriter | undefined;
    let after = 0;
    for (;;) {
      const page = this.page(group, after);
      if (page.length === 0) break;
      after = page.at(-1)!.id;
      for (const row of page) {
        this.done++;
        if (!folderOk) {
          this.problem(row, `dataset_source/task ${JSON.stringify(dir)} cannot be used as a folder name`);
          continue;
        }
        const record = await this.exportItem(row, dir);
        if (!record) continue;
        metadata ??= await JsonArrayWriter.open(this.target(`${dir}/metadata/${family}_${task}.json`));
        await metadata.append(JSON.stringify(record));
        this.files.addId(row.external_id);
        this.items++;
      }
      onPage();
    }
    if (metadata) {
      const { bytes, sha256 } = await metadata.close();
      this.files.add(`${dir}/metadata/${family}_${task}.json`, '', bytes, sha256);
    }
  }

  /**
   * The next items of a task folder after id `after`, in id order. One keyset query per
   * dataset (each served by an index starting with dataset_id), merged: the first PAGE of
   * the merge are exactly the first PAGE items of the folder.
   */
  private page(group: TaskGroup, after: number): ItemRow[] {
    const byStatus = this.status === 'all' ? '' : 'AND status = ?';
    const query = statement<unknown[], ItemRow>(
      this.db,
      `SELECT id, external_id, status, source_root_id, source_path, metadata, current_candidate_id, current_instruction_id
       FROM items WHERE dataset_id = ? ${byStatus} AND family = ? AND task = ? AND id > ?
       ORDER BY id LIMIT ?`,
    );
    const statusParam = this.status === 'all' ? [] : [this.status];
    const rows = group.datasetIds.flatMap((id) => query.all(id, ...statusParam, group.family, group.task, after, PAGE));
    if (group.datasetIds.length === 1) return rows;
    return rows.sort((a, b) => a.id - b.id).slice(0, PAGE);
  }

  /** Copies one item's images and returns its record, or reports why it is left out. */
  private async exportItem(row: ItemRow, dir: string): Promise<Record<string, unknown> | undefined> {
    if (this.files.hasId(row.external_id)) {
      return this.problem(row, 'another record with this id is already in the export (from another dataset)');
    }
    const chosen = this.chosen(row);
    const candidate = statement<
      [number],
      { id: number; origin: string; root_id: number; path: string; source_root_id: number | null; source_path: string | null }
    >(this.db, 'SELECT id, origin, root_id, path, source_root_id, source_path FROM candidates WHERE id = ?').get(
      chosen.candidateId,
    );
    const versions = statement<[number], Version>(
      this.db,
      'SELECT id, kind, text FROM instruction_versions WHERE item_id = ? ORDER BY id',
    ).all(row.id);
    const version = versions.find((v) => v.id === chosen.instructionId);
    if (!candidate || !version) return this.problem(row, 'the chosen edited image or instruction is not in the database');
    let original: Record<string, unknown>;
    try {
      original = JSON.parse(row.metadata);
    } catch {
      return this.problem(row, 'the stored record is not valid JSON');
    }

    let images: ImageFile[];
    try {
      // Loupe's own images (regenerations, a pair regeneration's new source) sit in its
      // content-addressed store; in the export they go to input/ and output/ by their hash name.
      const own = (rel: string, folder: string) => `${folder}/${path.posix.basename(rel)}`;
      const sourceOfCandidate = candidate.source_root_id !== null && candidate.source_path !== null;
      images = [
        sourceOfCandidate
          ? {
              field: 'input',
              from: resolveInRoot(this.root(candidate.source_root_id!), candidate.source_path!),
              rel: own(candidate.source_path!, 'input'),
            }
          : {
              field: 'input',
              from: resolveInRoot(this.root(row.source_root_id), row.source_path),
              rel: exportPath(row.source_path, 'input', `item-${row.id}`),
            },
        {
          field: 'output',
          from: resolveInRoot(this.root(candidate.root_id), candidate.path),
          rel: candidate.origin === 'dataset' ? exportPath(candidate.path, 'output', `candidate-${candidate.id}`) : own(candidate.path, 'output'),
        },
      ];
    } catch (error) {
      return this.problem(row, `image path: ${(error as Error).message}`);
    }

    // Decide everything before copying anything, so a skipped record leaves no stray image.
    const toCopy: ImageFile[] = [];
    for (const image of images) {
      const target = `${dir}/${image.rel}`;
      const earlier = this.files.source(target) ?? toCopy.find((c) => `${dir}/${c.rel}` === target)?.from;
      if (earlier === image.from) continue; // shared by several records: copied once
      if (earlier !== undefined) return this.problem(row, `${image.field} ${image.rel}: another image of the export has this path`);
      const stat = await fs.promises.stat(image.from).catch(() => undefined);
      if (!stat?.isFile()) return this.problem(row, `${image.field} image not found: ${image.from}`);
      toCopy.push(image);
    }
    for (const image of toCopy) {
      const copied = await this.copy(image.from, `${dir}/${image.rel}`);
      if (!copied) return this.problem(row, `${image.field} image not found: ${image.from}`);
    }
    return buildRecord(original, images[0].rel, images[1].rel, versions, version);
  }

  /** An accepted item exports what its live accept verdict approved; others their current choice. */
  private chosen(row: ItemRow): { candidateId: number; instructionId: number } {
    const current = { candidateId: row.current_candidate_id, instructionId: row.current_instruction_id };
    if (row.status !== 'accepted') return current;
    const verdict = statement<[number], { candidate_id: number | null; instruction_version_id: number | null }>(
      this.db,
      `SELECT candidate_id, instruction_version_id FROM verdicts v
       WHERE item_id = ? AND decision = 'accept'
         AND NOT EXISTS (SELECT 1 FROM verdicts u WHERE u.undoes_verdict_id = v.id)
       ORDER BY id DESC LIMIT 1`,
    ).get(row.id);
    return {
      candidateId: verdict?.candidate_id ?? current.candidateId,
      instructionId: verdict?.instruction_version_id ?? current.instructionId,
    };
  }

  private root(id: number): string {
    let root = this.roots.get(id);
    if (root === undefined) {
      root = statement<[number], string>(this.db, 'SELECT path FROM image_roots WHERE id = ?').pluck().get(id);
      if (root === undefined) throw new Error(`image root ${id} not found`);
      this.roots.set(id, root);
    }
    return root;
  }

  /** Copies (a real copy: users may edit the export) and records size and hash; false if the source vanished. */
  private async copy(from: string, target: string): Promise<boolean> {
    const file = this.target(target);
    const dir = path.dirname(file);
    if (!this.madeDirs.has(dir)) {
      await fs.promises.mkdir(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    try {
      // FICLONE: a copy-on-write clone where the file system offers it, else a plain copy.
      await fs.promises.copyFile(from, file, fs.constants.COPYFILE_FICLONE);
    } catch (error) {
      if (!fs.existsSync(from)) return false; // deleted since it was checked
      throw error; // cannot write the export (disk full, permissions): stop
    }
    // One read of the copy (images are at most a few MB): cheaper than a stream per file.
    const data = await fs.promises.readFile(file);
    this.files.add(target, from, data.length, crypto.createHash('sha256').update(data).digest('hex'));
    return true;
  }

  private target(rel: string): string {
    return path.join(this.out, ...rel.split('/'));
  }

  private problem(row: ItemRow, reason: string): undefined {
    this.skipped++;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ item: row.external_id, reason });
    return undefined;
  }

  /** The manifest, written to a temporary name and renamed so it is never half written. */
  async writeManifest(filter: ExportFilter, createdAt: string) {
    const file = path.join(this.out, MANIFEST);
    const head = manifestHead({ filter, createdAt, counts: { items: this.items, files: this.files.count() } });
    const writer = await JsonArrayWriter.open(file + '.tmp', head, '    ');
    for (let after = ''; ; ) {
      const page = this.files.page(after, PAGE);
      if (page.length === 0) break;
      for (const entry of page) await writer.append(JSON.stringify(entry));
      after = page.at(-1)!.path;
    }
    await writer.close('\n}');
    await fs.promises.rename(file + '.tmp', file);
  }
}

/**
 * The record as exported: every imported field kept, with the chosen instruction and
 * images. A chosen rewrite or reviewer's edit becomes `instruction_type: "rewrite"` with
 * the original wording in `instruction_original`, which the importer turns back into the
 * same versions; a chosen original (or complex) instruction drops `instruction_original`.
 */
function buildRecord(
  original: Record<string, unknown>,
  input: string,
  output: string,
  versions: Version[],
  chosen: Version,
): Record<string, unknown> {
  const record: Record<string, unknown> = { ...original, input, output, instruction: chosen.text };
  if (chosen.kind === 'rewrite' || chosen.kind === 'human') {
    record.instruction_type = 'rewrite';
    const before = versions.find((v) => v.kind === 'original') ?? versions[0];
    // Without an earlier wording there is nothing to record as the original.
    if (before.id !== chosen.id) record.instruction_original = before.text;
    else delete record.instruction_original;
  } else {
    record.instruction_type = chosen.kind; // 'original' or 'complex'
    delete record.instruction_original;
  }
  return record;
}

/**
 * A JSON array written as a stream, one element per line, with the file's size and
 * SHA-256 computed on the way (no second read). `opening` ends with the `[`.
 */
class JsonArrayWriter {
  private buffered: string;
  private count = 0;
  private bytes = 0;
  private readonly hash = crypto.createHash('sha256');

  private constructor(
    private readonly handle: fs.promises.FileHandle,
    opening: string,
    private readonly indent: string,
  ) {
    this.buffered = opening;
  }

  static async open(file: string, opening = '[', indent = '  '): Promise<JsonArrayWriter> {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    return new JsonArrayWriter(await fs.promises.open(file, 'w'), opening, indent);
  }

  async append(json: string) {
    this.buffered += (this.count++ === 0 ? '\n' : ',\n') + this.indent + json;
    if (this.buffered.length >= FLUSH_BYTES) await this.flush();
  }

  /** Closes the array, then whatever `closing` adds (the manifest's closing brace). */
  async close(closing = ''): Promise<{ bytes: number; sha256: string }> {
    const outer = this.indent.slice(2);
    this.buffered += (this.count ? `\n${outer}]` : ']') + closing + '\n';
    await this.flush();
    await this.handle.close();
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  private async flush() {
    const data = Buffer.from(this.buffered, 'utf8');
    this.buffered = '';
    this.hash.update(data);
    this.bytes += data.length;
    await this.handle.write(data);
  }
}

/**
 * The files written so far and the record ids exported, kept in a private temporary
 * SQLite database (on disk, deleted on close) so 1.5M items cost no memory; it also
 * gives the manifest its path order.
 */
class WrittenFiles {
  private readonly db = new Database(''); // '' = a temporary on-disk database
  private readonly sourceOf;
  private readonly insertFile;
  private readonly hasIdStmt;
  private readonly insertId;
  private readonly countStmt;
  private readonly pageStmt;

  constructor() {
    this.db.exec(`
      CREATE TABLE files (path TEXT PRIMARY KEY, source TEXT NOT NULL, bytes INTEGER NOT NULL, sha256 TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE ids (id TEXT PRIMARY KEY) WITHOUT ROWID;`);
    this.sourceOf = this.db.prepare<[string], string>('SELECT source FROM files WHERE path = ?').pluck();
    this.insertFile = this.db.prepare('INSERT INTO files (path, source, bytes, sha256) VALUES (?, ?, ?, ?)');
    this.hasIdStmt = this.db.prepare<[string], number>('SELECT 1 FROM ids WHERE id = ?').pluck();
    this.insertId = this.db.prepare('INSERT INTO ids (id) VALUES (?)');
    this.countStmt = this.db.prepare<[], number>('SELECT count(*) FROM files').pluck();
    this.pageStmt = this.db.prepare<[string, number], { path: string; bytes: number; sha256: string }>(
      'SELECT path, bytes, sha256 FROM files WHERE path > ? ORDER BY path LIMIT ?',
    );
  }

  /** The file a path of the export was copied from ('' for a metadata file), if written. */
  source(target: string): string | undefined {
    return this.sourceOf.get(target);
  }

  add(target: string, source: string, bytes: number, sha256: string) {
    this.insertFile.run(target, source, bytes, sha256);
  }

  hasId(id: string): boolean {
    return this.hasIdStmt.get(id) !== undefined;
  }

  addId(id: string) {
    this.insertId.run(id);
  }

  count(): number {
    return this.countStmt.get()!;
  }

  /** Files in path (UTF-8 byte) order after `after`. */
  page(after: string, limit: number) {
    return this.pageStmt.all(after, limit);
  }

  close() {
    this.db.close();
  }
}
