import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '@/db';
import packageJson from '@/package.json';
import { JsonArrayWriter, type WrittenFiles } from './files';
import { ExportError, type ExportFilter } from './selection';

/** The export folder: checking it may be written, clearing an earlier export, and the manifest. */

export const EXPORT_FORMATS = ['gpt-edit', 'gpt-image-edit-training', 'jsonl', 'parquet', 'webdataset'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

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
 * What an earlier export wrote there is removed.
 */
export async function prepareOutDir(db: Db, out: string, format: ExportFormat) {
  refuseImageRoots(db, out, 'export to another folder');
  let entries: string[];
  try {
    entries = await fs.promises.readdir(out);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return void (await fs.promises.mkdir(out, { recursive: true }));
    if (code === 'ENOTDIR') throw new ExportError(`${out} is a file, not a folder`);
    throw error;
  }
  if (entries.length === 0) return;
  const earlier = await readManifestFormat(path.join(out, MANIFEST));
  if (earlier === null) {
    throw new ExportError(`${out} is not empty and is not a Loupe export (no Loupe ${MANIFEST}); choose a new or empty folder`);
  }
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
 * Deletes what an export of `format` wrote in `out` (a run cut off part-way), and the folder
 * when that leaves it empty. Only the format's own files inside `out` are touched, and only
 * when `out` holds a Loupe manifest of that format; anything else there is kept.
 * Returns whether the folder itself was removed.
 */
export async function clearExportOutput(db: Db, out: string, format: ExportFormat): Promise<boolean> {
  if (!fs.existsSync(out)) return false;
  refuseImageRoots(db, out, 'nothing was deleted');
  const manifest = path.join(out, MANIFEST);
  const found = fs.existsSync(manifest) ? await readManifestFormat(manifest) : '';
  if (found === null || (found !== '' && found !== format)) {
    throw new ExportError(`${out} does not hold a Loupe ${format} export (its ${MANIFEST} is not one); nothing was deleted`);
  }
  await CLEAR[format](out);
  await remove(out, [MANIFEST, MANIFEST + '.tmp']);
  if ((await fs.promises.readdir(out)).length > 0) return false;
  await fs.promises.rmdir(out);
  return true;
}

/** The format options a Loupe manifest records (shard size, ...), or undefined when it cannot be read. */
export async function readManifestOptions(out: string): Promise<Record<string, unknown> | undefined> {
  try {
    const handle = await fs.promises.open(path.join(out, MANIFEST), 'r');
    try {
      // The options come before the file list; a stub (in progress) is small and whole JSON.
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, 0);
      const parsed = JSON.parse(buffer.toString('utf8', 0, bytesRead)) as { tool?: string; options?: Record<string, unknown> };
      return parsed.tool === 'loupe' ? (parsed.options ?? {}) : undefined;
    } finally {
      await handle.close();
    }
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

/**
 * The format named by a Loupe manifest ('' when it names none), or null when the file
 * is not a Loupe manifest. Reads only the start: a manifest lists every file and can be large.
 */
async function readManifestFormat(file: string): Promise<string | null> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch {
    return null;
  }
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(512), 0, 512, 0);
    const head = buffer.toString('utf8', 0, bytesRead);
    if (!/^\s*\{\s*"tool"\s*:\s*"loupe"/.test(head)) return null;
    return /"format"\s*:\s*"([^"]*)"/.exec(head)?.[1] ?? '';
  } finally {
    await handle.close();
  }
}

export interface ManifestFields {
  format: ExportFormat;
  filter: ExportFilter;
  createdAt: string;
  counts: { items: number; skipped: number; files: number; bytes: number };
  /** Format options that shape the files (shard size, ...). */
  options?: Record<string, unknown>;
  inProgress?: boolean;
}

function manifestHead({ format, ...fields }: ManifestFields) {
  const head = JSON.stringify({ tool: 'loupe', version: packageJson.version, format, ...fields }, null, 2);
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
  for (let after = ''; ; ) {
    const page = files.page(after, PAGE);
    if (page.length === 0) break;
    for (const entry of page) await writer.append(JSON.stringify(entry));
    after = page.at(-1)!.path;
  }
  await writer.close('\n}');
  await fs.promises.rename(file + '.tmp', file);
}
