import fs from 'node:fs';
import path from 'node:path';
import { findTaskFolders } from '../gpt-edit-layout';

/**
 * The split gzip tarballs of the release (`hqedit.tar.gz.part001`, `…part002`, …) or whole
 * ones (`hqedit.tar.gz`), found in a folder or named one by one, grouped per archive and put
 * in part order; plus the metadata JSON that lies beside them. A gap in the numbering, a
 * duplicate or a part named out of order is an error naming it, thrown before any import work.
 */

const PART = /^(.+\.(?:tar\.gz|tgz))\.part(\d+)$/i;
const WHOLE = /\.(?:tar\.gz|tgz)$/i;
const METADATA = /\.(json|jsonl)$/i;
const IMAGE_FOLDERS = new Set(['input', 'output']);

export interface Archive {
  /** The archive's name without the part suffix (`hqedit.tar.gz`). */
  name: string;
  /** Its files in stream order, absolute. */
  parts: string[];
}

export interface TarballSource {
  /** The folder problems are named relative to (the parts' folder). */
  baseDir: string;
  archives: Archive[];
  /** Metadata files beside the parts (read after the archives), absolute. */
  metadataFiles: string[];
  /** Compressed bytes of every part plus the metadata files beside them. */
  bytesTotal: number;
}

/** Wrong parts: missing, duplicated or out of order. The message names the part. */
export class PartsError extends Error {}

/** Whether a file name is a part or a whole tarball. */
export function isTarballName(name: string): boolean {
  return PART.test(name) || WHOLE.test(name);
}

/**
 * Whether a path is a tarball part, or a folder of them: one with `.partNNN` files, or one
 * holding only whole archives (and metadata JSON) among its files. A single stray
 * `backup.tar.gz` among other files is not enough. A cheap look for auto-detection: an
 * extracted layout's image folders, 300k files each, are never listed.
 */
export function looksLikeTarballs(target: string): boolean {
  try {
    if (fs.statSync(target).isFile()) return isTarballName(path.basename(target));
    if (IMAGE_FOLDERS.has(path.basename(target))) return false;
    const files = fs.readdirSync(target, { withFileTypes: true }).filter((e) => e.isFile() && !e.name.startsWith('.'));
    if (files.some((e) => PART.test(e.name))) return true;
    return files.some((e) => WHOLE.test(e.name)) && files.every((e) => WHOLE.test(e.name) || METADATA.test(e.name));
  } catch {
    return false;
  }
}

/**
 * Whether a folder holds an extracted layout: task folders with image folders beside their
 * metadata (metadata beside the parts has none). Auto-detection tries the layout first then,
 * so a stray tarball in an extracted release does not make it an import of tarballs.
 */
export function holdsExtractedLayout(target: string): boolean {
  try {
    if (!fs.statSync(target).isDirectory()) return false;
    return findTaskFolders(target).some((task) => [...IMAGE_FOLDERS].some((side) => fs.existsSync(path.join(task.dir, side))));
  } catch {
    return false;
  }
}

interface Part {
  file: string;
  archive: string;
  /** The part number; -1 for a whole tarball. */
  number: number;
  digits: string;
}

function parsePart(file: string): Part | undefined {
  const name = path.basename(file);
  const part = PART.exec(name);
  if (part) return { file, archive: part[1], number: Number(part[2]), digits: part[2] };
  if (WHOLE.test(name)) return { file, archive: name, number: -1, digits: '' };
  return undefined;
}

/**
 * The archives and metadata of the given paths: one folder (its parts, and its metadata
 * files and `<family>/<task>/metadata/` folders), or parts and metadata files named one by
 * one, the parts of each archive in order.
 */
export function findTarballs(paths: string[]): TarballSource {
  if (paths.length === 0) throw new PartsError('no tarball parts given');
  const resolved = paths.map((p) => path.resolve(p));
  const parts: Part[] = [];
  const metadataFiles: string[] = [];
  let sorted = false;
  for (const target of resolved) {
    const stat = fs.statSync(target); // the caller has checked that each path exists
    if (stat.isDirectory()) {
      if (resolved.length > 1) throw new PartsError(`${target} is a folder: give either one folder or the parts themselves`);
      sorted = true;
      for (const entry of fs.readdirSync(target, { withFileTypes: true })) {
        const file = path.join(target, entry.name);
        if (!entry.isFile()) continue;
        const part = parsePart(file);
        if (part) parts.push(part);
        else if (METADATA.test(entry.name)) metadataFiles.push(file);
      }
      metadataFiles.push(...findTaskFolders(target).flatMap((folder) => folder.metadataFiles));
    } else {
      const part = parsePart(target);
      if (part) parts.push(part);
      else if (METADATA.test(target)) metadataFiles.push(target);
      else throw new PartsError(`${path.basename(target)} is neither a tarball part (NAME.tar.gz.partNNN, NAME.tar.gz) nor metadata JSON`);
    }
  }
  const baseDir = fs.statSync(resolved[0]).isDirectory() ? resolved[0] : path.dirname(resolved[0]);
  if (parts.length === 0) throw new PartsError(`no tarball parts (NAME.tar.gz.partNNN or NAME.tar.gz) in ${paths.join(', ')}`);
  const archives = groupArchives(parts, sorted);
  for (const archive of archives) checkGzipStart(archive);
  const uniqueMetadata = [...new Set(metadataFiles)].sort();
  const bytesTotal = [...archives.flatMap((a) => a.parts), ...uniqueMetadata].reduce((sum, f) => sum + fs.statSync(f).size, 0);
  return { baseDir, archives, metadataFiles: uniqueMetadata, bytesTotal };
}

/** Parts grouped per archive and checked: numbered without gaps from 0 or 1, no duplicates, in order when named. */
function groupArchives(parts: Part[], sortThem: boolean): Archive[] {
  const byArchive = new Map<string, Part[]>();
  for (const part of parts) {
    const list = byArchive.get(part.archive) ?? [];
    list.push(part);
    byArchive.set(part.archive, list);
  }
  const archives: Archive[] = [];
  for (const [name, list] of [...byArchive].sort(([a], [b]) => a.localeCompare(b))) {
    const whole = list.filter((p) => p.number === -1);
    if (whole.length && list.length > 1) {
      throw new PartsError(
        `${name} is given both whole and in parts (${path.basename(list.find((p) => p.number >= 0)!.file)}): give one or the other`,
      );
    }
    if (whole.length) {
      archives.push({ name, parts: [whole[0].file] });
      continue;
    }
    if (!sortThem) {
      for (let i = 1; i < list.length; i++) {
        if (list[i].number < list[i - 1].number) {
          throw new PartsError(`${path.basename(list[i].file)} is given after ${path.basename(list[i - 1].file)}: give the parts in order`);
        }
      }
    }
    const ordered = [...list].sort((a, b) => a.number - b.number);
    for (let i = 1; i < ordered.length; i++) {
      if (ordered[i].number === ordered[i - 1].number) {
        throw new PartsError(
          `${path.basename(ordered[i].file)} is a duplicate of part ${ordered[i - 1].digits} (${path.basename(ordered[i - 1].file)})`,
        );
      }
    }
    const first = ordered[0].number;
    if (first > 1)
      throw new PartsError(`${partName(name, ordered[0], 1)} is missing (the first part given is ${path.basename(ordered[0].file)})`);
    for (let i = 1; i < ordered.length; i++) {
      if (ordered[i].number !== ordered[i - 1].number + 1) {
        throw new PartsError(
          `${partName(name, ordered[0], ordered[i - 1].number + 1)} is missing (between ${path.basename(ordered[i - 1].file)} and ${path.basename(ordered[i].file)})`,
        );
      }
    }
    archives.push({ name, parts: ordered.map((p) => p.file) });
  }
  return archives;
}

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/**
 * The archive's first file must start a gzip stream (1f 8b): a first part that does not
 * is the second of its archive (`split -d` numbers from 000, so 000 may be the one missing),
 * said before any work rather than as bad gzip data part way through the stream.
 */
function checkGzipStart(archive: Archive) {
  const first = archive.parts[0];
  const head = Buffer.alloc(2);
  const fd = fs.openSync(first, 'r');
  try {
    fs.readSync(fd, head, 0, 2, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.equals(GZIP_MAGIC)) return;
  const part = parsePart(first)!;
  if (part.number < 0) throw new PartsError(`${path.basename(first)} is not gzip data (it does not start with 1f 8b)`);
  const earlier = part.number > 0 ? ` (${partName(archive.name, part, part.number - 1)})` : '';
  throw new PartsError(
    `${path.basename(first)} does not start a gzip stream: an earlier part${earlier} is missing, or it is not the first part`,
  );
}

/** A part's name with another number, zero-padded as the given parts are. */
function partName(archive: string, like: Part, number: number): string {
  return `${archive}.part${String(number).padStart(like.digits.length, '0')}`;
}
