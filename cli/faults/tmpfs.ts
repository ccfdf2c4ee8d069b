import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A small tmpfs, for a disk that really fills up. Needs the right to mount (root in the test
 * container); undefined where mounting is not permitted, and the tests fall back to SQLite's
 * max_page_count and /dev/full.
 */
export function smallTmpfs(bytes: number): { dir: string; unmount(): void } | undefined {
  if (process.platform !== 'linux') return undefined;
  // Not a tempDir(): cleanupTemp would try to remove the mount point while it is mounted.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-tmpfs-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { encoding: 'utf8' });
  // Mounted, and really this small (a mount that did not take leaves a folder of the big disk).
  if (mounted.status !== 0 || !isSmall(dir, bytes)) {
    if (mounted.status === 0) spawnSync('umount', ['-l', dir]);
    fs.rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    unmount() {
      spawnSync('umount', ['-l', dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether the filesystem holding `dir` is at most `bytes` large (the tmpfs, not the disk under it). */
export function isSmall(dir: string, bytes: number): boolean {
  const stats = fs.statfsSync(dir);
  return stats.blocks * stats.bsize <= bytes;
}

/** Takes the free space of the filesystem of `dir` (a file filled until ENOSPC); returns its path. */
export function fillDisk(dir: string): string {
  const file = `${dir}/filler`;
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    // Smaller writes take the last partial chunk.
    for (let size = 32 * 1024; size >= 512; size /= 2) {
      try {
        for (;;) fs.writeSync(fd, chunk.subarray(0, size));
      } catch {
        // full at this size: try a smaller one
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/**
 * Where no tmpfs can be mounted (not root): lowers this process's soft file-size limit
 * (RLIMIT_FSIZE, with prlimit) so that any write making a file larger than `bytes` fails with
 * EFBIG (SIGXFSZ ignored meanwhile), a write path failing as on a full disk. Returns the undo, or
 * undefined where prlimit is missing.
 */
export function limitFileSize(bytes: number): (() => void) | undefined {
  const pid = String(process.pid);
  const before = spawnSync('prlimit', ['--pid', pid, '--fsize', '--raw', '--noheadings', '--output=SOFT'], { encoding: 'utf8' });
  if (before.status !== 0) return undefined;
  const ignore = () => {};
  process.on('SIGXFSZ', ignore);
  if (spawnSync('prlimit', ['--pid', pid, `--fsize=${bytes}:`]).status !== 0) {
    process.off('SIGXFSZ', ignore);
    return undefined;
  }
  return () => {
    spawnSync('prlimit', ['--pid', pid, `--fsize=${before.stdout.trim()}:`]);
    process.off('SIGXFSZ', ignore);
  };
}
