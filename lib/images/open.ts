import fs from 'node:fs';
import path from 'node:path';
import type { ByteSource } from './check';
import { resolveInRoot } from './paths';

/**
 * Opening an image file that must stay inside its root folder, and its identity.
 *
 * A path is resolved with realpath (so a symlink is followed only to see where it leads)
 * and refused when the real file lies outside the real root. The real path is then opened
 * without following a final symlink, without blocking on a FIFO, and the opened file is
 * checked once more: its path in /proc/self/fd (Linux) must still be inside the root, so a
 * folder swapped between the check and the open cannot slip in. The identity of the open
 * file (`dev:ino`) is what import records and what serving compares.
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

// Real paths of roots: an import checks thousands of files against the same few roots.
const realRoots = new Map<string, string>();

function realRootSync(root: string): string {
  let real = realRoots.get(root);
  if (real === undefined) {
    real = fs.realpathSync.native(root);
    if (realRoots.size > 1000) realRoots.clear();
    realRoots.set(root, real);
  }
  return real;
}

/**
 * Opens `relative` inside `root` for reading, refusing (FileRefused) a file that is
 * missing, leads outside the root, is not a regular file, or (with `expectedId`) is not
 * the file recorded. The caller closes `fd`.
 */
export function openInRootSync(root: string, relative: string, expectedId?: string | null): OpenedFile {
  let realRoot: string;
  let real: string;
  try {
    realRoot = realRootSync(root);
    real = fs.realpathSync.native(resolveInRoot(root, relative));
  } catch (error) {
    throw new FileRefused((error as Error).message === 'path escapes its root' ? OUTSIDE_ROOT : openReason(error));
  }
  if (!inside(realRoot, real)) throw new FileRefused(OUTSIDE_ROOT);
  let fd: number;
  try {
    fd = fs.openSync(real, OPEN_FLAGS);
  } catch (error) {
    throw new FileRefused(openReason(error));
  }
  try {
    const opened = fdPathSync(fd);
    if (opened !== undefined && !inside(realRoot, opened)) throw new FileRefused(OUTSIDE_ROOT);
    const stats = fs.fstatSync(fd, { bigint: true });
    if (!stats.isFile()) throw new FileRefused(NOT_REGULAR);
    const fileId = fileIdOf(stats);
    if (expectedId && fileId !== expectedId) throw new FileRefused(CHANGED);
    return { fd, real: opened ?? real, size: Number(stats.size), fileId };
  } catch (error) {
    fs.closeSync(fd);
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
