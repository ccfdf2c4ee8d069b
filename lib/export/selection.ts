import path from 'node:path';
import type { Db } from '@/db';
import { statement } from '@/db/statements';
import type { CandidateOrigin, InstructionKind, ItemStatus } from '@/db/schema';
import { getDataset } from '../datasets';
import { decidedChoice, decidingVerdict, type DecidingVerdict } from '../review/decided';
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
  versions: Version[];
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
 * held while the caller awaits.
 */
export function* taskPages(db: Db, group: TaskGroup, status: ExportStatus): Generator<ItemRow[]> {
  const byStatus = status === 'all' ? '' : 'AND status = ?';
  const extra = group.extra?.terms.length ? `AND ${group.extra.terms.join(' AND ')}` : '';
  const query = statement<unknown[], ItemRow>(
    db,
    `SELECT id, dataset_id, external_id, status, source_root_id, source_path, source_file_id, metadata, current_candidate_id, current_instruction_id
     FROM items WHERE dataset_id = ? ${byStatus} AND family = ? AND task = ? AND items.id > ? ${extra}
     ORDER BY items.id LIMIT ?`,
  );
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

/** The verdict that decided the item (lib/review/decided.ts); null for a pending or disputed item. */
export function liveVerdict(db: Db, row: ItemRow): LiveVerdict | null {
  return decidingVerdict(db, row.id, row.status);
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
  /** What `prefetch` read for the current page. */
  private page: Map<number, { verdict: LiveVerdict | null }> | undefined;
  private pageCandidates: Map<number, CandidateRow> | undefined;
  private pageVersions: Map<number, Version[]> | undefined;

  /**
   * `checkImages` false (an export that writes no image: `--images none`): each image is named by
   * its recorded place and identity without opening it (`fileId` '' when none was recorded);
   * whoever reads it must check it then (lib/export/images.ts).
   */
  constructor(
    private readonly db: Db,
    private readonly checkImages = true,
  ) {}

  /** The item as exported, or why it cannot be. */
  resolve(row: ItemRow, group: TaskGroup): ExportItem | { problem: string } {
    const fetched = this.page?.get(row.id);
    const verdict = fetched ? fetched.verdict : liveVerdict(this.db, row);
    const choice = chosen(row, verdict);
    const candidate = fetched
      ? this.pageCandidates!.get(choice.candidateId)
      : statement<[number], CandidateRow>(this.db, `SELECT ${CANDIDATE_COLUMNS} FROM candidates WHERE id = ?`).get(choice.candidateId);
    const versions = fetched
      ? (this.pageVersions!.get(row.id) ?? [])
      : statement<[number], Version>(this.db, 'SELECT id, kind, text FROM instruction_versions WHERE item_id = ? ORDER BY id').all(row.id);
    const version = versions.find((v) => v.id === choice.instructionId);
    if (!candidate || !version) return { problem: 'the chosen edited image or instruction is not in the database' };
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
        versions,
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

  /**
   * Reads what `resolve` needs of a page of items with one query per table (their chosen
   * candidates, their instruction versions) instead of one per item; each deciding verdict is
   * still its own query (lib/review/decided.ts), and only decided items have one.
   */
  prefetch(rows: ItemRow[]) {
    this.page = new Map(rows.map((row) => [row.id, { verdict: liveVerdict(this.db, row) }]));
    const candidateIds = rows.map((row) => chosen(row, this.page!.get(row.id)!.verdict).candidateId);
    this.pageCandidates = new Map(
      statement<[string], CandidateRow>(this.db, `SELECT ${CANDIDATE_COLUMNS} FROM candidates WHERE id IN (SELECT value FROM json_each(?))`)
        .all(JSON.stringify(candidateIds))
        .map((candidate) => [candidate.id, candidate]),
    );
    this.pageVersions = new Map();
    const versions = statement<[string], Version & { item_id: number }>(
      this.db,
      'SELECT item_id, id, kind, text FROM instruction_versions WHERE item_id IN (SELECT value FROM json_each(?)) ORDER BY item_id, id',
    ).all(JSON.stringify(rows.map((row) => row.id)));
    for (const { item_id, ...version } of versions) {
      const list = this.pageVersions.get(item_id);
      if (list) list.push(version);
      else this.pageVersions.set(item_id, [version]);
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
 * wording in `instruction_original`, which the importer turns back into the same versions;
 * a chosen original (or complex) instruction has no `instruction_original`.
 */
export function instructionFields(versions: Version[], chosen: Version): InstructionFields {
  if (chosen.kind === 'rewrite' || chosen.kind === 'human') {
    const before = versions.find((v) => v.kind === 'original') ?? versions[0];
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
  versions: Version[],
  chosen: Version,
): Record<string, unknown> {
  const fields = instructionFields(versions, chosen);
  const record: Record<string, unknown> = { ...original, input, output, ...fields };
  if (fields.instruction_original === undefined) delete record.instruction_original;
  return record;
}

/** A folder or file name taken from data: one plain path segment, never `..` or a separator. */
export function safeSegment(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}
