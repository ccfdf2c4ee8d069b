import path from 'node:path';
import type { Db } from '@/db';
import { statement } from '@/db/statements';
import type { CandidateOrigin, InstructionKind, ItemStatus } from '@/db/schema';
import { getDataset } from '../datasets';
import { actorNameSql } from '../auth/actors';
import { decidedChoice, decidingVerdict, decidingVerdictIdSql, type DecidingVerdict } from '../review/decided';
import { EXTRA_TERM_KEYS, extraFilterSql, type ExtraFilter } from '../filter/filter';
import { checkedImage } from '../images/checked-file';
import type { CheckedFile } from '../images/open';
import { checkRelativePath, resolveInRoot } from '../images/paths';
import { isS3Url } from '../s3/url';

/**
 * What every export format shares: which items are exported, in which order, and what
 * of each item (the chosen instruction version and edited image, its images, its verdict).
 */

export type ExportStatus = ItemStatus | 'all';

/**
 * Which items to export: status, dataset, family and task (answered from item_counts), plus
 * the shared filter's other terms (live verdict reviewer and dates, instruction text,
 * candidate origin, a score range), the same SQL as the dataset page (lib/filter/filter.ts).
 */
export interface ExportSelection extends Omit<ExtraFilter, 'status' | 'sort'> {
  status?: ExportStatus;
  datasetId?: number;
  family?: string;
  task?: string;
  instructionType?: 'original' | 'rewrite' | 'complex';
}

/** The selection, as written to the manifest and the summary (null: not filtered; other terms only when set). */
export interface ExportFilter extends Omit<ExtraFilter, 'status' | 'sort'> {
  status: ExportStatus;
  dataset: string | null;
  family: string | null;
  task: string | null;
  instructionType?: string;
}

/** The selection's terms beyond status, dataset, family and task. */
function extraOf(selection: ExportSelection): Omit<ExtraFilter, 'status' | 'sort'> {
  const extra: Record<string, unknown> = {};
  for (const key of EXTRA_TERM_KEYS) if (selection[key] !== undefined) extra[key] = selection[key];
  return extra as Omit<ExtraFilter, 'status' | 'sort'>;
}

/** The export cannot start (unknown dataset, unsafe output folder): the CLI exits non-zero. */
export class ExportError extends Error {}

const PAGE = 1000;

export interface ItemRow {
  id: number;
  dataset_id: number;
  external_id: string;
  status: ItemStatus;
  source_root_id: number;
  source_path: string;
  /** dev:ino recorded at import: the export copies only the file imported (lib/images/open.ts). */
  source_file_id?: string | null;
  metadata: string;
  current_candidate_id: number;
  current_instruction_id: number;
}

/**
 * A row of an export page (taskPages with `joined`): the item with its deciding verdict (lib/review/decided.ts),
 * the edited image and instruction version that verdict chose (else its current ones), and its first
 * wording, read in one query per page. A `c_` or `iv_` column is null when the chosen row is missing.
 */
export interface PageRow extends ItemRow {
  v_id: number | null;
  v_decision: 'accept' | 'reject' | null;
  v_kind: 'review' | 'adjudication' | null;
  v_reviewer: string | null;
  v_reasons: string | null;
  v_comment: string | null;
  v_created_at: number | null;
  v_candidate_id: number | null;
  v_instruction_version_id: number | null;
  c_id: number | null;
  c_origin: CandidateOrigin;
  c_root_id: number;
  c_path: string;
  c_source_root_id: number | null;
  c_source_path: string | null;
  c_file_id: string | null;
  c_source_file_id: string | null;
  c_provenance: string;
  c_simulated: number;
  iv_id: number | null;
  iv_kind: InstructionKind;
  iv_text: string;
  /** The first wording, read only when the chosen version is a rewrite or a human edit (null otherwise). */
  ov_id: number | null;
  ov_kind: InstructionKind;
  ov_text: string;
}

/**
 * Fields a record carries at its top level (id, the chosen instruction) or that name files of
 * the source layout (input, output): left out of its `metadata` (item-record.ts).
 */
export const PROMOTED_FIELDS = ['id', 'instruction', 'instruction_type', 'instruction_original', 'input', 'output'] as const;
/** The same as json_remove paths (safe to splice: fixed names). */
const PROMOTED_PATHS = PROMOTED_FIELDS.map((field) => `'$.${field}'`).join(', ');

/**
 * A row of an export page as the jsonl record of `--images none` (taskPages `lines`): the record
 * written by SQLite, in two halves around the image references the writer adds (item-record.ts,
 * recordLine), and where the two images are stored. `head` null: the row cannot be written so
 * (its chosen candidate or version is missing, or the stored record is not a JSON object); the
 * writer then takes the general path, which says why.
 */
export interface LineRow {
  id: number;
  external_id: string;
  dataset_id: number;
  /** The item's status when its page was read (the page's status filter held then). */
  status: string;
  /** `{"id":…,…,"instruction_type":…}`: the record's fields before its instruction_original. */
  head: string | null;
  /** A chosen rewrite's or human edit's first wording, when it is another version (instructionFields). */
  instruction_original: string | null;
  /** `{"metadata":…,"verdict":…,"candidate":…}`: the record's fields after the image references. */
  tail: string | null;
  source_root_id: number;
  source_path: string;
  source_file_id: string | null;
  edited_root_id: number;
  edited_path: string;
  edited_file_id: string | null;
}

export type PageShape = 'items' | 'joined' | 'lines';

export interface Version {
  id: number;
  kind: InstructionKind;
  text: string;
}

export interface CandidateRow {
  id: number;
  origin: CandidateOrigin;
  root_id: number;
  path: string;
  source_root_id: number | null;
  source_path: string | null;
  file_id?: string | null;
  source_file_id?: string | null;
  provenance: string;
  simulated: number;
}

/** The verdict that gives an accepted or rejected item its status (not undone). */
export type LiveVerdict = DecidingVerdict;

/** One image of an item: the file it is read from and its path in a task folder. */
export interface ImageFile extends CheckedFile {
  field: 'input' | 'output';
  /** Path relative to the task folder (`input/...`, `output/...`), as written in records. */
  rel: string;
}

/** Everything an export format needs to write one item. */
export interface ExportItem {
  row: ItemRow;
  dataset: string;
  family: string;
  task: string;
  /** The imported record, every field kept. */
  original: Record<string, unknown>;
  /**
   * A chosen rewrite's or human edit's `instruction_original`: the item's first `original` version, else its
   * first (instructionFields). Otherwise not needed, and it may be the chosen version itself.
   */
  firstVersion: Version;
  /** The instruction version exported. */
  version: Version;
  /** The edited image exported. */
  candidate: CandidateRow;
  source: ImageFile;
  edited: ImageFile;
  verdict: LiveVerdict | null;
}

export function describeFilter(db: Db, selection: ExportSelection): ExportFilter {
  let dataset: string | null = null;
  if (selection.datasetId !== undefined) {
    const found = getDataset(db, selection.datasetId);
    if (!found) throw new ExportError(`no dataset with id ${selection.datasetId}`);
    dataset = found.name;
  }
  return {
    status: selection.status ?? 'accepted',
    dataset,
    family: selection.family ?? null,
    task: selection.task ?? null,
    ...(selection.instructionType ? { instructionType: selection.instructionType } : {}),
    ...extraOf(selection),
  };
}

export interface TaskGroup {
  family: string;
  task: string;
  datasetIds: number[];
  n: number;
  /** The shared filter's other terms over `items`, applied to every page. */
  extra?: { terms: string[]; params: (string | number)[] };
}

/** The (family, task) folders to write, in order, with the datasets that have items there (from item_counts). */
export function listTaskGroups(db: Db, selection: ExportSelection): TaskGroup[] {
  const status = selection.status ?? 'accepted';
  const terms: string[] = [];
  const params: (string | number)[] = [];
  const add = (term: string, value: string | number | undefined) => {
    if (value === undefined) return;
    terms.push(term);
    params.push(value);
  };
  add('dataset_id = ?', selection.datasetId);
  add('status = ?', status === 'all' ? undefined : status);
  add('family = ?', selection.family);
  add('task = ?', selection.task);
  add('instruction_type = ?', selection.instructionType);
  const rows = db.$client
    .prepare<unknown[], { family: string; task: string; dataset_id: number; n: number }>(
      `SELECT family, task, dataset_id, sum(n) AS n FROM item_counts
       ${terms.length ? `WHERE ${terms.join(' AND ')}` : ''}
       GROUP BY family, task, dataset_id HAVING sum(n) > 0
       ORDER BY family, task, dataset_id`,
    )
    .all(...params);
  const extra = extraFilterSql(extraOf(selection));
  if (selection.instructionType) {
    // item_counts narrowed the folders; the item pages need the term too.
    extra.terms.unshift('instruction_type = ?');
    extra.params.unshift(selection.instructionType);
  }
  if (extra.terms.length) {
    // item_counts cannot answer these terms: count each (folder, dataset) exactly.
    const count = statement<unknown[], number>(
      db,
      `SELECT count(*) FROM items WHERE dataset_id = ? ${status === 'all' ? '' : 'AND status = ?'} AND family = ? AND task = ?
       AND ${extra.terms.join(' AND ')}`,
    ).pluck();
    for (const row of rows) {
      row.n = count.get(row.dataset_id, ...(status === 'all' ? [] : [status]), row.family, row.task, ...extra.params) ?? 0;
    }
  }
  const groups: TaskGroup[] = [];
  for (const row of rows) {
    if (row.n === 0) continue;
    const last = groups.at(-1);
    if (last && last.family === row.family && last.task === row.task) {
      last.datasetIds.push(row.dataset_id);
      last.n += row.n;
    } else {
      groups.push({
        family: row.family,
        task: row.task,
        datasetIds: [row.dataset_id],
        n: row.n,
        ...(extra.terms.length ? { extra } : {}),
      });
    }
  }
  return groups;
}

/**
 * The items of a task folder in id order, page after page. One keyset query per dataset
 * (each served by an index starting with dataset_id), merged: the first PAGE of the merge
 * are exactly the first PAGE items of the folder. Each page is read whole, so no cursor is
 * held while the caller awaits. The shape of a row: `items` an ItemRow; `joined` a PageRow (the
 * item with what it exports); `lines` a LineRow (its jsonl record). Each is one query per dataset and page.
 */
export function taskPages(db: Db, group: TaskGroup, status: ExportStatus, shape: 'lines'): Generator<LineRow[]>;
export function taskPages(db: Db, group: TaskGroup, status: ExportStatus, shape: 'joined'): Generator<PageRow[]>;
export function taskPages(db: Db, group: TaskGroup, status: ExportStatus, shape?: 'items'): Generator<ItemRow[]>;
export function* taskPages(db: Db, group: TaskGroup, status: ExportStatus, shape: PageShape = 'items'): Generator<{ id: number }[]> {
  const byStatus = status === 'all' ? '' : 'AND status = ?';
  const extra = group.extra?.terms.length ? `AND ${group.extra.terms.join(' AND ')}` : '';
  const where = `WHERE dataset_id = ? ${byStatus} AND family = ? AND task = ? AND items.id > ? ${extra} ORDER BY items.id LIMIT ?`;
  const itemColumns =
    'id, dataset_id, external_id, status, source_root_id, source_path, source_file_id, metadata, current_candidate_id, current_instruction_id';
  // The deciding verdict by the same rule as decidingVerdict (looked for only when the status is a
  // decision); then what it chose (decidedChoice: the verdict's candidate and version, else the
  // item's current ones), and the first wording when a rewrite or human edit is chosen.
  const joins = `LEFT JOIN verdicts v ON v.id = CASE WHEN i.status IN ('accepted', 'rejected') THEN ${decidingVerdictIdSql('i')} END
     LEFT JOIN candidates c ON c.id = coalesce(v.candidate_id, i.current_candidate_id)
     LEFT JOIN instruction_versions iv ON iv.id = coalesce(v.instruction_version_id, i.current_instruction_id) AND iv.item_id = i.id
     LEFT JOIN instruction_versions ov ON ov.id = CASE WHEN iv.kind IN ('rewrite', 'human') THEN (
       SELECT f.id FROM instruction_versions f WHERE f.item_id = i.id ORDER BY f.kind = 'original' DESC, f.id LIMIT 1) END`;
  // lines: itemRecord's fields, written by SQLite's JSON functions (the same escapes as JSON.stringify,
  // the same ISO time as toISOString: item-record.test.ts). The metadata without the promoted
  // fields is made in the page query, once a row; null when the stored record is not an object.
  const usable = 'i.rest IS NOT NULL AND c.id IS NOT NULL AND iv.id IS NOT NULL';
  const verdictJson = (comment: boolean) =>
    `json_object('decision', v.decision, 'reviewer', ${actorNameSql('v.reviewer')},
       'reasons', json(CASE WHEN json_valid(v.reasons) THEN v.reasons ELSE '[]' END),
       ${comment ? "'comment', v.comment," : ''} 'at', strftime('%Y-%m-%dT%H:%M:%fZ', v.created_at / 1000.0, 'unixepoch'))`;
  const sql = {
    items: `SELECT ${itemColumns} FROM items ${where}`,
    joined: `SELECT i.*,
       v.id AS v_id, v.decision AS v_decision, v.kind AS v_kind, ${actorNameSql('v.reviewer')} AS v_reviewer,
       v.reasons AS v_reasons, v.comment AS v_comment, v.created_at AS v_created_at,
       v.candidate_id AS v_candidate_id, v.instruction_version_id AS v_instruction_version_id,
       c.id AS c_id, c.origin AS c_origin, c.root_id AS c_root_id, c.path AS c_path, c.source_root_id AS c_source_root_id,
       c.source_path AS c_source_path, c.file_id AS c_file_id, c.source_file_id AS c_source_file_id,
       c.provenance AS c_provenance, c.simulated AS c_simulated,
       iv.id AS iv_id, iv.kind AS iv_kind, iv.text AS iv_text,
       ov.id AS ov_id, ov.kind AS ov_kind, ov.text AS ov_text
     FROM (SELECT ${itemColumns} FROM items ${where}) i ${joins}
     ORDER BY i.id`,
    lines: `SELECT i.id, i.external_id, i.dataset_id, i.status,
       CASE WHEN ${usable} THEN json_object('id', i.external_id, 'dataset', coalesce(d.name, CAST(i.dataset_id AS TEXT)),
         'family', i.family, 'task', i.task, 'instruction', iv.text,
         'instruction_type', CASE WHEN iv.kind IN ('rewrite', 'human') THEN 'rewrite' ELSE iv.kind END) END AS head,
       CASE WHEN ov.id != iv.id THEN ov.text END AS instruction_original,
       CASE WHEN ${usable} THEN json_object('metadata', json(i.rest),
         'verdict', CASE WHEN v.id IS NULL THEN NULL WHEN coalesce(v.comment, '') = '' THEN ${verdictJson(false)} ELSE ${verdictJson(true)} END,
         'candidate', json_object('origin', c.origin, 'simulated', json(CASE WHEN c.simulated = 1 THEN 'true' ELSE 'false' END),
           'provenance', json(CASE WHEN json_valid(c.provenance) THEN c.provenance ELSE '{}' END))) END AS tail,
       CASE WHEN c.source_root_id IS NOT NULL AND c.source_path IS NOT NULL THEN c.source_root_id ELSE i.source_root_id END AS source_root_id,
       CASE WHEN c.source_root_id IS NOT NULL AND c.source_path IS NOT NULL THEN c.source_path ELSE i.source_path END AS source_path,
       CASE WHEN c.source_root_id IS NOT NULL AND c.source_path IS NOT NULL THEN c.source_file_id ELSE i.source_file_id END AS source_file_id,
       c.root_id AS edited_root_id, c.path AS edited_path, c.file_id AS edited_file_id
     FROM (SELECT id, dataset_id, external_id, family, task, status, source_root_id, source_path, source_file_id,
             current_candidate_id, current_instruction_id,
             CASE WHEN json_valid(metadata) THEN CASE WHEN json_type(metadata) = 'object' THEN json_remove(metadata, ${PROMOTED_PATHS}) END END AS rest
           FROM items ${where}) i
     ${joins}
     LEFT JOIN datasets d ON d.id = i.dataset_id
     ORDER BY i.id`,
  };
  const query = statement<unknown[], { id: number }>(db, sql[shape]);
  const statusParam = status === 'all' ? [] : [status];
  const extraParams = group.extra?.params ?? [];
  for (let after = 0; ;) {
    let rows = group.datasetIds.flatMap((id) => query.all(id, ...statusParam, group.family, group.task, after, ...extraParams, PAGE));
    if (group.datasetIds.length > 1) rows = rows.sort((a, b) => a.id - b.id).slice(0, PAGE);
    if (rows.length === 0) return;
    after = rows.at(-1)!.id;
    yield rows;
  }
}

/** An item's row as taskPages `items` reads it (a LineRow the general path must resolve). */
export function itemRow(db: Db, id: number): ItemRow | undefined {
  return statement<[number], ItemRow>(
    db,
    `SELECT id, dataset_id, external_id, status, source_root_id, source_path, source_file_id, metadata, current_candidate_id, current_instruction_id
     FROM items WHERE id = ?`,
  ).get(id);
}

/** The verdict that decided the item (lib/review/decided.ts); null for a pending or disputed item. */
export function liveVerdict(db: Db, row: ItemRow): LiveVerdict | null {
  return decidingVerdict(db, row.id, row.status);
}

/** The deciding verdict a PageRow carries (the same row decidingVerdict reads). */
function pageVerdict(row: PageRow): LiveVerdict | null {
  if (row.v_id === null) return null;
  return {
    id: row.v_id,
    decision: row.v_decision!,
    kind: row.v_kind!,
    reviewer: row.v_reviewer!,
    reasons: row.v_reasons!,
    comment: row.v_comment,
    created_at: row.v_created_at!,
    candidate_id: row.v_candidate_id,
    instruction_version_id: row.v_instruction_version_id,
  };
}

function pageCandidate(row: PageRow): CandidateRow | undefined {
  if (row.c_id === null) return undefined;
  return {
    id: row.c_id,
    origin: row.c_origin,
    root_id: row.c_root_id,
    path: row.c_path,
    source_root_id: row.c_source_root_id,
    source_path: row.c_source_path,
    file_id: row.c_file_id,
    source_file_id: row.c_source_file_id,
    provenance: row.c_provenance,
    simulated: row.c_simulated,
  };
}

/** Whether a row came from a joined page (it then carries its verdict, candidate and versions). */
export function isPageRow(row: ItemRow): row is PageRow {
  return 'c_id' in row;
}

/** The wording a rewrite is recorded against: the first `original` version, else the first. */
function firstOf(versions: Version[]): Version | undefined {
  return versions.find((v) => v.kind === 'original') ?? versions[0];
}

/** A decided item exports what its deciding verdict chose; others their current choice. */
function chosen(row: ItemRow, verdict: LiveVerdict | null): { candidateId: number; instructionId: number } {
  return decidedChoice({ candidateId: row.current_candidate_id, instructionId: row.current_instruction_id }, verdict);
}

const CANDIDATE_COLUMNS = 'id, origin, root_id, path, source_root_id, source_path, file_id, source_file_id, provenance, simulated';

/** The path an image keeps in the export: its own when safe (always, for imported items), else a made-up one. */
function exportPath(rel: string, folder: string, name: string): string {
  const checked = checkRelativePath(rel);
  return checked.ok ? checked.path : `${folder}/${name}${path.extname(rel)}`;
}

/**
 * Reads what an export needs of its items, caching image roots and dataset names (a
 * handful of rows) across items.
 */
export class ItemResolver {
  private readonly roots = new Map<number, string>();
  private readonly datasets = new Map<number, string>();

  /**
   * `checkImages` false (an export that writes no image: `--images none`): each image is named by
   * its recorded place and identity without opening it (`fileId` '' when none was recorded);
   * whoever reads it must check it then (lib/export/images.ts).
   */
  constructor(
    private readonly db: Db,
    private readonly checkImages = true,
  ) {}

  /**
   * The item as exported, or why it cannot be. A PageRow (taskPages `joined`) carries what it
   * needs; a plain row is looked up item by item.
   */
  resolve(row: ItemRow, group: TaskGroup): ExportItem | { problem: string } {
    let verdict: LiveVerdict | null;
    let candidate: CandidateRow | undefined;
    let version: Version | undefined;
    let firstVersion: Version | undefined;
    if (isPageRow(row)) {
      verdict = pageVerdict(row);
      candidate = pageCandidate(row);
      version = row.iv_id === null ? undefined : { id: row.iv_id, kind: row.iv_kind, text: row.iv_text };
      firstVersion = row.ov_id === null ? version : { id: row.ov_id, kind: row.ov_kind, text: row.ov_text };
    } else {
      verdict = liveVerdict(this.db, row);
      const choice = chosen(row, verdict);
      candidate = statement<[number], CandidateRow>(this.db, `SELECT ${CANDIDATE_COLUMNS} FROM candidates WHERE id = ?`).get(
        choice.candidateId,
      );
      const versions = statement<[number], Version>(
        this.db,
        'SELECT id, kind, text FROM instruction_versions WHERE item_id = ? ORDER BY id',
      ).all(row.id);
      version = versions.find((v) => v.id === choice.instructionId);
      firstVersion = firstOf(versions);
    }
    if (!candidate || !version || !firstVersion) return { problem: 'the chosen edited image or instruction is not in the database' };
    let original: Record<string, unknown>;
    try {
      original = JSON.parse(row.metadata);
    } catch {
      return { problem: 'the stored record is not valid JSON' };
    }

    try {
      // Loupe's own images (regenerations, a pair regeneration's new source) sit in its
      // content-addressed store; in the export they go to input/ and output/ by their hash name.
      const own = (rel: string, folder: string) => `${folder}/${path.posix.basename(rel)}`;
      const sourceOfCandidate = candidate.source_root_id !== null && candidate.source_path !== null;
      const source: ImageFile = sourceOfCandidate
        ? {
            field: 'input',
            ...this.image(this.root(candidate.source_root_id!), candidate.source_path!, candidate.source_file_id),
            rel: own(candidate.source_path!, 'input'),
          }
        : {
            field: 'input',
            ...this.image(this.root(row.source_root_id), row.source_path, row.source_file_id),
            rel: exportPath(row.source_path, 'input', `item-${row.id}`),
          };
      const edited: ImageFile = {
        field: 'output',
        ...this.image(this.root(candidate.root_id), candidate.path, candidate.file_id),
        rel:
          candidate.origin === 'dataset'
            ? exportPath(candidate.path, 'output', `candidate-${candidate.id}`)
            : own(candidate.path, 'output'),
      };
      return {
        row,
        dataset: this.datasetName(row.dataset_id),
        family: group.family,
        task: group.task,
        original,
        firstVersion,
        version,
        candidate,
        source,
        edited,
        verdict,
      };
    } catch (error) {
      return { problem: `image path: ${(error as Error).message}` };
    }
  }

  private image(root: string, relative: string, recordedId: string | null | undefined): CheckedFile {
    if (this.checkImages) return checkedImage(root, relative, recordedId);
    return { from: isS3Url(root) ? `${root}/${relative}` : resolveInRoot(root, relative), fileId: recordedId ?? '' };
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

  private datasetName(id: number): string {
    let name = this.datasets.get(id);
    if (name === undefined) {
      name = getDataset(this.db, id)?.name ?? String(id);
      this.datasets.set(id, name);
    }
    return name;
  }
}

/** The instruction fields of a record, as the importer reads them back (see `buildRecord`). */
export interface InstructionFields {
  instruction: string;
  instruction_type: string;
  instruction_original?: string;
}

/**
 * A chosen rewrite or reviewer's edit is `instruction_type: "rewrite"` with the original
 * wording (`before`: ExportItem.firstVersion) in `instruction_original`, which the importer
 * turns back into the same versions; a chosen original (or complex) instruction has no
 * `instruction_original`.
 */
export function instructionFields(before: Version, chosen: Version): InstructionFields {
  if (chosen.kind === 'rewrite' || chosen.kind === 'human') {
    // Without an earlier wording there is nothing to record as the original.
    return before.id !== chosen.id
      ? { instruction: chosen.text, instruction_type: 'rewrite', instruction_original: before.text }
      : { instruction: chosen.text, instruction_type: 'rewrite' };
  }
  return { instruction: chosen.text, instruction_type: chosen.kind }; // 'original' or 'complex'
}

/** The record as exported: every imported field kept, with the chosen instruction and images. */
export function buildRecord(
  original: Record<string, unknown>,
  input: string,
  output: string,
  before: Version,
  chosen: Version,
): Record<string, unknown> {
  const fields = instructionFields(before, chosen);
  const record: Record<string, unknown> = { ...original, input, output, ...fields };
  if (fields.instruction_original === undefined) delete record.instruction_original;
  return record;
}

/** A folder or file name taken from data: one plain path segment, never `..` or a separator. */
export function safeSegment(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}
