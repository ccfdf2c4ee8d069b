import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '@/db';
import packageJson from '@/package.json';
import { JsonArrayWriter, type WrittenFiles } from './files';
import { EXPORT_FORMATS, type ExportFormat } from './formats';
import { ExportError, type ExportFilter } from './selection';

/** The export folder: checking it may be written, clearing an earlier export, and the manifest. */

export const MANIFEST = 'manifest.json';
const PAGE = 1000;

/**
 * What each format writes, removed before an export is written over an earlier one (of
 * this format or another), so nothing stale survives. Anything else in the folder is kept.
 */
const CLEAR: Record<ExportFormat, (out: string) => Promise<void>> = {
  'gpt-edit': clearTaskFolders,
  'gpt-image-edit-training': (out) => remove(out, ['images', 'training_json', 'data.txt']),
  jsonl: (out) => remove(out, ['images', 'data.jsonl']),
  parquet: async (out) => {
    const dir = path.join(out, 'data');
    await removeMatching(dir, /^train-\d+(-of-\d+)?\.parquet$/);
    await fs.promises.rmdir(dir).catch(() => {}); // only when that left it empty
  },
  webdataset: (out) => removeMatching(out, /^shard-\d+\.tar$/),
};

/**
 * Makes sure `out` may be written: created when missing, refused when it holds anything
 * but a Loupe export, or when it holds images Loupe reads from (an imported export).
 * Then `claim` (writing this run's manifest stub), then what an earlier export wrote there is removed.
 */
export async function prepareOutDir(db: Db, out: string, format: ExportFormat, claim: () => Promise<void>) {
  refuseImageRoots(db, out, 'export to another folder');
  let entries: string[];
  try {
    entries = await fs.promises.readdir(out);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new ExportError(`${out} is a file, not a folder`);
    if (code !== 'ENOENT') throw error;
    await fs.promises.mkdir(out, { recursive: true });
    entries = [];
  }
  const earlier = entries.length === 0 ? '' : ((await readManifestHead(path.join(out, MANIFEST)))?.format ?? null);
  if (earlier === null) {
    throw new ExportError(`${out} is not empty and is not a Loupe export (no Loupe ${MANIFEST}); choose a new or empty folder`);
  }
  await claim();
  if (entries.length === 0) return;
  if (earlier !== format && isFormat(earlier)) await CLEAR[earlier](out);
  await CLEAR[format](out);
}

/** Refuses a folder that holds (or is) an imported dataset's image folder. */
function refuseImageRoots(db: Db, out: string, advice: string) {
  const roots = db.$client.prepare<[], string>('SELECT path FROM image_roots').pluck().all();
  for (const root of roots) {
    const rel = path.relative(out, root);
    if (rel === '' || (rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel))) {
      throw new ExportError(`${out} holds images of an imported dataset (${root}); ${advice}`);
    }
  }
}

/**
 * Deletes what export run `runId` (of `format`) wrote in `out` (a run cut off part-way), and the
 * folder when that leaves it empty. Only when `out` holds the Loupe manifest that this run wrote:
 * a folder without one (a run refused before it wrote anything, or the user's own files) or
 * whose manifest is another run's (a later export into the same folder) is left untouched.
 * Only the format's own files inside `out` are deleted. Returns whether the folder was removed.
 */
export async function clearExportOutput(
  db: Db,
  out: string,
  format: ExportFormat,
  runId: number,
  /** Earlier runs into this folder that run `runId` replaced: a resume cut off before its stub still holds theirs. */
  replaced: number[] = [],
): Promise<boolean> {
  if (!fs.existsSync(out)) return false;
  refuseImageRoots(db, out, 'nothing was deleted');
  const found = await readManifestHead(path.join(out, MANIFEST));
  const ours = found?.run === runId || (found?.run != null && replaced.includes(found.run));
  if (!found || found.format !== format || !ours) {
    const what = !found
      ? `has no Loupe ${MANIFEST}`
      : !ours
        ? `holds ${found.run === null ? 'an export of no recorded run' : `export ${found.run}`}`
        : `holds a ${found.format || 'format-less'} export`;
    throw new ExportError(`${out} does not hold what export ${runId} (${format}) wrote: it ${what}; nothing was deleted`);
  }
  await CLEAR[format](out);
  await remove(out, [MANIFEST, MANIFEST + '.tmp']);
  if ((await fs.promises.readdir(out)).length > 0) return false;
  await fs.promises.rmdir(out);
  return true;
}

/** Whether `out` holds the manifest export run `runId` wrote (what cleanExport would delete). */
export function holdsRunOutput(out: string, runId: number): boolean {
  const head = readStartSync(path.join(out, MANIFEST), HEAD_BYTES);
  return head !== null && parseManifestHead(head)?.run === runId;
}

/** The format options a Loupe manifest records (shard size, ...), or undefined when it cannot be read. */
export async function readManifestOptions(out: string): Promise<Record<string, unknown> | undefined> {
  // The options come before the file list; a stub (in progress) is small and whole JSON.
  const text = await readStart(path.join(out, MANIFEST), 64 * 1024);
  if (text === null || !parseManifestHead(text)) return undefined;
  try {
    return (JSON.parse(text) as { options?: Record<string, unknown> }).options ?? {};
  } catch {
    return undefined;
  }
}

function isFormat(name: string | undefined): name is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(name ?? '');
}

/** Only task folders (<family>/<task> with a metadata folder) are a gpt-edit export's. */
async function clearTaskFolders(out: string) {
  for (const family of await fs.promises.readdir(out, { withFileTypes: true })) {
    if (!family.isDirectory()) continue;
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

async function remove(out: string, names: string[]) {
  for (const name of names) await fs.promises.rm(path.join(out, name), { recursive: true, force: true });
}

/** Removes the files of `dir` (if it exists) whose names match. */
async function removeMatching(dir: string, pattern: RegExp) {
  const names = await fs.promises.readdir(dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => pattern.test(n))) await fs.promises.rm(path.join(dir, name), { force: true });
}

/** A manifest's start: the tool, format and run come first (the file list, which can be large, last). */
const HEAD_BYTES = 512;

interface ManifestHead {
  /** '' when it names none. */
  format: string;
  /** The export run that wrote it (null: written before manifests named their run). */
  run: number | null;
}

/** The start of a Loupe manifest, or null when the text is not one. */
function parseManifestHead(head: string): ManifestHead | null {
  if (!/^\s*\{\s*"tool"\s*:\s*"loupe"/.test(head)) return null;
  const run = /"run"\s*:\s*(\d+)/.exec(head)?.[1];
  return { format: /"format"\s*:\s*"([^"]*)"/.exec(head)?.[1] ?? '', run: run === undefined ? null : Number(run) };
}

async function readManifestHead(file: string): Promise<ManifestHead | null> {
  const head = await readStart(file, HEAD_BYTES);
  return head === null ? null : parseManifestHead(head);
}

/** The first `bytes` of a file as text, or null when it cannot be read. */
async function readStart(file: string, bytes: number): Promise<string | null> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch {
    return null;
  }
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(bytes), 0, bytes, 0);
    return buffer.toString('utf8', 0, bytesRead);
  } finally {
    await handle.close();
  }
}

function readStartSync(file: string, bytes: number): string | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const buffer = Buffer.alloc(bytes);
    return buffer.toString('utf8', 0, fs.readSync(fd, buffer, 0, bytes, 0));
  } finally {
    fs.closeSync(fd);
  }
}

export interface ManifestFields {
  format: ExportFormat;
  /** The export run writing it: only that run's --clean may delete the folder's files. */
  run: number;
  filter: ExportFilter;
  createdAt: string;
  counts: { items: number; skipped: number; files: number; bytes: number };
  /** Format options that shape the files (shard size, ...). */
  options?: Record<string, unknown>;
  inProgress?: boolean;
}

function manifestHead({ format, run, ...fields }: ManifestFields) {
  const head = JSON.stringify({ tool: 'loupe', version: packageJson.version, format, run, ...fields }, null, 2);
  return head.slice(0, -2) + ',\n  "files": ['; // drop the closing "\n}" to stream the files array after it
}

/** Written first so an interrupted export is still recognised as Loupe's (and may be overwritten). */
export async function writeManifestStub(out: string, fields: ManifestFields) {
  await fs.promises.writeFile(path.join(out, MANIFEST), manifestHead({ ...fields, inProgress: true }) + ']\n}\n');
}

/**
 * The manifest: the fields, then every data file with its size and SHA-256 in path order.
 * Written to a temporary name and renamed so it is never half written.
 */
export async function writeManifest(out: string, fields: ManifestFields, files: WrittenFiles) {
  const file = path.join(out, MANIFEST);
  const writer = await JsonArrayWriter.open(file + '.tmp', manifestHead(fields), '    ');
  for (let after = ''; ;) {
    const page = files.page(after, PAGE);
    if (page.length === 0) break;
    for (const entry of page) await writer.append(JSON.stringify(entry));
    after = page.at(-1)!.path;
  }
  await writer.close('\n}');
  await fs.promises.rename(file + '.tmp', file);
}
