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
  if (mounted.status !== 0) {
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
