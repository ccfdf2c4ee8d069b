import fs from 'node:fs';
import path from 'node:path';
import type { ByteSource } from './check';
import { resolveInRoot } from './paths';

/**
 * Opening an image file that must stay inside its root folder, and its identity.
 *
 * A path is resolved with realpath (so a symlink is followed only to see where it leads)
 * and refused when the real file lies outside the real root. The real path is then opened
 * without following a final symlink and without blocking on a FIFO. The identity of the
 * open file (`dev:ino`) is what import records and what every later use compares.
 *
 * Two strengths: `strict` (serving, jobs, exports) resolves the whole path every time and
 * checks the opened file once more through /proc/self/fd (Linux), so a folder swapped
 * between the check and the open cannot slip in. `import` caches the real path of each
 * image folder for the length of one import (thousands of images share a folder; realpath
 * and the /proc check cost about half the probe's time): a folder swapped for a link in the
 * middle of an import can make it record a file outside the root, which every later use
 * refuses anyway, since it re-resolves the path in strict mode before reading a byte.
 */

/** A file that is not where it may be, or not the file it was: never served, never imported. */
export class FileRefused extends Error {}

export const OUTSIDE_ROOT = 'image file leads outside its folder (a link to elsewhere)';
export const NOT_REGULAR = 'image path is not a regular file';
export const CHANGED = 'image file changed since it was imported';
export const NOT_FOUND = 'image file not found';

const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

/** `dev:ino` of a file (bigint stats: inode numbers can exceed 2^53). */
export function fileIdOf(stats: fs.BigIntStats): string {
  return `${stats.dev}:${stats.ino}`;
}

function inside(root: string, file: string): boolean {
  return file.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

const openReason = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return NOT_FOUND;
  if (code === 'ELOOP') return OUTSIDE_ROOT;
  return `cannot open image (${code})`;
};

/** Where an open file descriptor really points (Linux), or undefined where /proc is not there. */
function fdPathSync(fd: number): string | undefined {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

export interface OpenedFile {
  fd: number;
  /** The real path that was opened. */
  real: string;
  size: number;
  fileId: string;
}

/** Real paths of folders, for one import (see `import` mode above). */
export class FolderCache {
  private readonly real = new Map<string, string>();

  realpath(dir: string): string {
    let real = this.real.get(dir);
    if (real === undefined) {
      real = fs.realpathSync.native(dir);
      if (this.real.size > 10_000) this.real.clear();
      this.real.set(dir, real);
    }
    return real;
  }
}

/**
 * Opens `relative` inside `root` for reading, refusing (FileRefused) a file that is
 * missing, leads outside the root, is not a regular file, or (with `expectedId`) is not
 * the file recorded. With a FolderCache, the import mode (above); without, strict. The
 * caller closes `fd`.
 */
export function openInRootSync(root: string, relative: string, expectedId?: string | null, folders?: FolderCache): OpenedFile {
  let realRoot: string;
  let full: string;
  let real: string;
  let fd = -1;
  try {
    full = resolveInRoot(root, relative);
    realRoot = folders ? folders.realpath(root) : fs.realpathSync.native(root);
    if (folders) {
      real = path.join(folders.realpath(path.dirname(full)), path.basename(full));
      try {
        fd = fs.openSync(real, OPEN_FLAGS);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ELOOP') throw error;
        real = fs.realpathSync.native(full); // the name itself is a link: see where it leads
      }
    } else {
      real = fs.realpathSync.native(full);
    }
  } catch (error) {
    throw new FileRefused((error as Error).message === 'path escapes its root' ? OUTSIDE_ROOT : openReason(error));
  }
  try {
    if (!inside(realRoot, real)) throw new FileRefused(OUTSIDE_ROOT);
    if (fd < 0) {
      try {
        fd = fs.openSync(real, OPEN_FLAGS);
      } catch (error) {
        throw new FileRefused(openReason(error));
      }
    }
    const opened = folders ? undefined : fdPathSync(fd);
    if (opened !== undefined && !inside(realRoot, opened)) throw new FileRefused(OUTSIDE_ROOT);
    const stats = fs.fstatSync(fd, { bigint: true });
    if (!stats.isFile()) throw new FileRefused(NOT_REGULAR);
    const fileId = fileIdOf(stats);
    if (expectedId && fileId !== expectedId) throw new FileRefused(CHANGED);
    return { fd, real: opened ?? real, size: Number(stats.size), fileId };
  } catch (error) {
    if (fd >= 0) fs.closeSync(fd);
    throw error;
  }
}

export interface OpenedHandle {
  handle: fs.promises.FileHandle;
  real: string;
  stats: fs.BigIntStats;
  fileId: string;
}

/** openInRootSync for serving: the same checks, without blocking the server's thread. */
export async function openInRoot(root: string, relative: string, expectedId?: string | null): Promise<OpenedHandle> {
  let realRoot: string;
  let real: string;
  try {
    realRoot = await fs.promises.realpath(root);
    real = await fs.promises.realpath(resolveInRoot(root, relative));
  } catch (error) {
    throw new FileRefused((error as Error).message === 'path escapes its root' ? OUTSIDE_ROOT : openReason(error));
  }
  if (!inside(realRoot, real)) throw new FileRefused(OUTSIDE_ROOT);
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(real, OPEN_FLAGS);
  } catch (error) {
    throw new FileRefused(openReason(error));
  }
  try {
    const opened = await fs.promises.readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
    if (opened !== undefined && !inside(realRoot, opened)) throw new FileRefused(OUTSIDE_ROOT);
    const stats = await handle.stat({ bigint: true });
    if (!stats.isFile()) throw new FileRefused(NOT_REGULAR);
    const fileId = fileIdOf(stats);
    if (expectedId && fileId !== expectedId) throw new FileRefused(CHANGED);
    return { handle, real: opened ?? real, stats, fileId };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** An open file as a byte source for checkImage: positioned reads only. */
export function fdSource(fd: number, size: number): ByteSource {
  return {
    size,
    read(position, length) {
      const buffer = Buffer.allocUnsafe(Math.max(0, Math.min(length, size - position)));
      const read = buffer.length ? fs.readSync(fd, buffer, 0, buffer.length, position) : 0;
      return buffer.subarray(0, read);
    },
  };
}

/**
 * A recorded image checked for code that copies it (exports): its real path and the
 * identity it had at the check (the one recorded at import, or the one seen now when none
 * was recorded). `fileId` null: the file is missing. The copy opens it again with
 * openCheckedFile, which refuses anything but that same file, so a file swapped (for a
 * link, or another file) between this check and the copy is never read.
 */
export interface CheckedFile {
  from: string;
  fileId: string | null;
}

/** checkedImageFile's answer for a missing file: reported as missing by the caller. */
export function checkedImageFile(root: string, relative: string, expectedId?: string | null): CheckedFile {
  try {
    const opened = openInRootSync(root, relative, expectedId);
    fs.closeSync(opened.fd);
    return { from: opened.real, fileId: opened.fileId };
  } catch (error) {
    if (error instanceof FileRefused && error.message === NOT_FOUND) return { from: resolveInRoot(root, relative), fileId: null };
    throw error;
  }
}

/**
 * Opens a file that checkedImageFile checked, refusing (FileRefused) anything but the file
 * it saw: a final link is not followed, and the open file must have the same `dev:ino`
 * (so a folder on the way swapped for a link cannot lead elsewhere either).
 */
export async function openCheckedFile(file: CheckedFile): Promise<fs.promises.FileHandle> {
  if (file.fileId === null) throw new FileRefused(NOT_FOUND);
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file.from, OPEN_FLAGS);
  } catch (error) {
    throw new FileRefused(openReason(error));
  }
  try {
    const stats = await handle.stat({ bigint: true });
    if (!stats.isFile()) throw new FileRefused(NOT_REGULAR);
    if (fileIdOf(stats) !== file.fileId) throw new FileRefused(CHANGED);
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}
