import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '@/db';
import { checkRelativePath } from '../../images/paths';
import type { ImportFormat } from '../format-types';
import { NothingToImportError, type ColumnMapping, type ImportOptions, type ImportSummary } from '../import-gpt-edit';
import { readJsonRecords } from '../json-records';
import { importLimits } from '../limits';
import { readCsvRows } from './csv';
import { runImport, type ImageSpec, type ImportSession, type Order, type PendingItem } from '../session';

/*
 * Generic JSON Lines and CSV files: one triplet per line (per row), with the columns named
 * by --source-col, --edited-col, --instruction-col and --id-col, or else the first present
 * of the usual names below. Image values are paths relative to the file's folder, or
 * http(s) URLs, which are downloaded into Loupe's content-addressed image store. The whole
 * record is kept; `dataset_source` (or `family`) and `task` columns, when present, set the
 * family (default `generic`) and the task (default `default`). Without an id column a
 * record's id is `<file name>:<line>`, so importing the file again adds nothing.
 */

type Role = 'source' | 'edited' | 'instruction' | 'id';

const DEFAULT_COLUMNS: Record<Role, string[]> = {
  source: ['source', 'source_image', 'input', 'input_image', 'src'],
  edited: ['edited', 'edited_image', 'output', 'output_image', 'target'],
  instruction: ['instruction', 'prompt', 'edit', 'edit_prompt'],
  id: ['id', 'key'],
};

/** The names a role may have: the one given on the command line, else the defaults. */
function columnNames(mapping: ColumnMapping | undefined): Record<Role, string[]> {
  const given = (role: Role) => mapping?.[role];
  return {
    source: given('source') ? [given('source')!] : DEFAULT_COLUMNS.source,
    edited: given('edited') ? [given('edited')!] : DEFAULT_COLUMNS.edited,
    instruction: given('instruction') ? [given('instruction')!] : DEFAULT_COLUMNS.instruction,
    id: given('id') ? [given('id')!] : DEFAULT_COLUMNS.id,
  };
}

const present = (value: unknown) => value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');

/** The first of `names` the record has a value for: [column, value]. */
function pick(record: Record<string, unknown>, names: string[]): [string, unknown] | undefined {
  for (const name of names) if (present(record[name])) return [name, record[name]];
  return undefined;
}

interface FileContext {
  /** The file name as shown in problems and used in default ids. */
  name: string;
  /** The file's folder: local image paths are relative to it. */
  dir: string;
  columns: Record<Role, string[]>;
}

/** Checks one record (a JSONL object or a CSV row by header): ready to import, or why not. */
function toPending(
  record: Record<string, unknown>,
  line: number,
  metadata: string,
  order: Order,
  ctx: FileContext,
): { item: PendingItem } | { id: string; reason: string } {
  const idValue = pick(record, ctx.columns.id)?.[1];
  // Without an id of its own, the record's place names it: the same file gives the same ids.
  const id = typeof idValue === 'string' || typeof idValue === 'number' ? String(idValue).trim() : `${ctx.name}:${line}`;

  const missing = (['source', 'edited', 'instruction'] as const).filter((role) => pick(record, ctx.columns[role]) === undefined);
  if (missing.length) {
    const what = missing.map((role) => `${role} (${ctx.columns[role].join(' | ')})`).join(', ');
    return { id, reason: `missing ${what}` };
  }
  const [instructionColumn, instruction] = pick(record, ctx.columns.instruction)!;
  if (typeof instruction !== 'string') return { id, reason: `${instructionColumn}: not a string` };
  // Images are named in problems by the column they came from.
  const source = imageSpec(...pick(record, ctx.columns.source)!, ctx.dir);
  if (typeof source === 'string') return { id, reason: source };
  const edited = imageSpec(...pick(record, ctx.columns.edited)!, ctx.dir);
  if (typeof edited === 'string') return { id, reason: edited };

  const text = (key: string) => (present(record[key]) && typeof record[key] === 'string' ? record[key].trim() : undefined);
  return {
    item: {
      externalId: id,
      family: text('dataset_source') ?? text('family') ?? 'generic',
      task: text('task') ?? 'default',
      instructionType: 'original',
      instructions: [{ kind: 'original', text: instruction.trim() }],
      instructionField: instructionColumn,
      descriptions: { input_description: record.input_description, output_description: record.output_description },
      metadata,
      source,
      output: edited,
      file: ctx.name,
      order,
    },
  };
}

/** An image value: an http(s) URL, or a path that must stay inside the file's folder. */
function imageSpec(field: string, value: unknown, dir: string): ImageSpec | string {
  if (typeof value !== 'string') return `${field}: not a string`;
  const trimmed = value.trim();
  if (/^https?:\/\//i.test(trimmed)) return { field, value: trimmed, url: trimmed };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return `${field}: only http(s) URLs can be downloaded: ${trimmed}`;
  const checked = checkRelativePath(trimmed);
  if (!checked.ok) return `${field}: ${checked.reason}`;
  return { field, value: trimmed, dir, path: checked.path };
}

/** The file to import, checked: a generic format reads one file, not a folder. */
function singleFile(inputPath: string, kind: string): string {
  const file = path.resolve(inputPath);
  if (!fs.existsSync(file)) throw new NothingToImportError(`no such file or folder: ${inputPath}`);
  if (!fs.statSync(file).isFile()) throw new NothingToImportError(`${inputPath} is a folder; the ${kind} format imports one file`);
  return file;
}

function runOptions(db: Db, file: string, format: string, options: ImportOptions) {
  return {
    db,
    format,
    path: file,
    // Default dataset: the file's name without its extension.
    dataset: options.dataset ?? path.basename(file).replace(/\.[^.]+$/, ''),
    files: 1,
    bytesTotal: fs.statSync(file).size,
    onProgress: options.onProgress,
    limits: importLimits(options.limits),
  };
}

async function addOrReport(session: ImportSession, checked: ReturnType<typeof toPending>, name: string, order: Order) {
  if ('item' in checked) await session.add(checked.item);
  else session.report(name, order, checked.reason, checked.id);
}

export async function importJsonl(db: Db, inputPath: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const file = singleFile(inputPath, 'jsonl');
  const ctx: FileContext = { name: path.basename(file), dir: path.dirname(file), columns: columnNames(options.columns) };
  return runImport(runOptions(db, file, 'jsonl', options), async (session) => {
    let readAny = false;
    let broken = false;
    for await (const entry of readJsonRecords(file, session.progress, session.limits)) {
      if (entry.kind === 'bad-file') {
        session.report(ctx.name, [0, Infinity], entry.reason); // a break ends the file: after its records
        broken = true;
        continue;
      }
      readAny = true;
      session.progress.records++;
      const line = entry.index + 1; // records are numbered like lines (blank lines are not counted)
      const order: Order = [0, entry.index];
      if (entry.kind === 'bad-record') {
        session.report(ctx.name, order, entry.reason, `${ctx.name}:${line}`);
        continue;
      }
      if (typeof entry.value !== 'object' || entry.value === null || Array.isArray(entry.value)) {
        session.report(ctx.name, order, 'record is not a JSON object', `${ctx.name}:${line}`);
        continue;
      }
      await addOrReport(session, toPending(entry.value as Record<string, unknown>, line, entry.text, order, ctx), ctx.name, order);
    }
    return readAny || !broken ? 1 : 0;
  });
}

export async function importCsv(db: Db, inputPath: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const file = singleFile(inputPath, 'csv');
  const name = path.basename(file);
  const names = columnNames(options.columns);
  return runImport(runOptions(db, file, 'csv', options), async (session) => {
    let header: string[] | undefined;
    let ctx: FileContext | undefined;
    for await (const entry of readCsvRows(file, session.progress, session.limits)) {
      if (entry.kind === 'bad-file') {
        session.report(name, [0, Infinity], entry.reason);
        continue;
      }
      if (entry.kind === 'bad-row' && !header) {
        session.report(name, [0, -1], `the header row (line ${entry.line}) cannot be read: ${entry.reason}`);
        return 0;
      }
      if (entry.kind === 'bad-row') {
        // Every line that is not a row is counted and named: a stray quote loses no row silently.
        session.progress.records++;
        session.report(name, [0, entry.line], `line ${entry.line}: ${entry.reason}`, `${name}:${entry.line}`);
        continue;
      }
      if (!header) {
        header = entry.fields.map((f) => f.trim());
        const reason = checkHeader(header, names, options.columns?.extra ?? []);
        if (reason.fatal) {
          session.report(name, [0, -1], reason.fatal);
          return 0; // without its columns no row can be read
        }
        for (const warning of reason.warnings) session.report(name, [0, -1], warning);
        // Resolved once from the header: every row uses the same columns.
        ctx = { name, dir: path.dirname(file), columns: reason.columns };
        continue;
      }
      session.progress.records++;
      const order: Order = [0, entry.line];
      if (entry.fields.length !== header.length) {
        const reason = `row has ${entry.fields.length} fields, the header has ${header.length}`;
        session.report(name, order, reason, `${name}:${entry.line}`);
        continue;
      }
      const record = Object.fromEntries(header.map((column, i) => [column, entry.fields[i]]));
      await addOrReport(session, toPending(record, entry.line, JSON.stringify(record), order, ctx!), name, order);
    }
    if (!header) {
      session.report(name, [0, -1], 'empty file: expected a header row');
      return 0;
    }
    return 1;
  });
}

/** Which header column plays each role; a missing required one makes the file unreadable. */
function checkHeader(header: string[], names: Record<Role, string[]>, extra: string[]) {
  const has = new Set(header);
  const columns = { ...names };
  const missing: string[] = [];
  for (const role of ['source', 'edited', 'instruction', 'id'] as const) {
    const found = names[role].find((n) => has.has(n));
    if (found) columns[role] = [found];
    else if (role !== 'id') missing.push(`${role} (${names[role].join(' | ')})`);
    else columns[role] = [];
  }
  const fatal = missing.length ? `the header has no column for ${missing.join(', ')}` : undefined;
  const warnings = extra.filter((c) => !has.has(c)).map((c) => `extra column ${c} is not in the header`);
  return { columns, fatal, warnings };
}

export const JSONL_FORMAT: ImportFormat = {
  name: 'jsonl',
  description: 'JSON Lines, one triplet per line (--source-col, --edited-col, --instruction-col, --id-col)',
  detect: async (target) => /\.(jsonl|ndjson)$/i.test(target) && isFile(target),
  run: importJsonl,
};

export const CSV_FORMAT: ImportFormat = {
  name: 'csv',
  description: 'CSV with a header row, one triplet per row (--source-col, --edited-col, --instruction-col, --id-col)',
  detect: async (target) => /\.csv$/i.test(target) && isFile(target),
  run: importCsv,
};

function isFile(target: string): boolean {
  try {
    return fs.statSync(target).isFile();
  } catch {
    return false;
  }
}
