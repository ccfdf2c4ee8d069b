import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { limitFileSize } from '@/cli/faults/tmpfs';
import { cleanupTemp, tempDb, tempDir } from '@/lib/test/factories';
import { storeImage, writeStoreFileSync } from './store';

afterEach(cleanupTemp);

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[]).filter((e) => e.isFile()).map((e) => e.name);
}

/** A write that fails part way (a file-size limit: EFBIG, as a full disk fails with ENOSPC); where prlimit exists. */
const limit = (bytes: number) => limitFileSize(bytes);
const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0;

describe.skipIf(!hasPrlimit)('a store write that fails part way', () => {
  it('writeStoreFileSync removes its temporary file and rethrows', () => {
    const dir = path.join(tempDir('loupe-store-'), 'images');
    const undo = limit(4096)!;
    try {
      expect(() => writeStoreFileSync(dir, Buffer.alloc(64 * 1024, 7), 'png')).toThrow(/EFBIG|file too large/i);
    } finally {
      undo();
    }
    expect(filesUnder(dir)).toEqual([]);
  });

  it('storeImage removes its temporary file and rethrows', async () => {
    const { db } = tempDb();
    const undo = limit(4096)!;
    try {
      await expect(storeImage(db, Buffer.alloc(64 * 1024, 9))).rejects.toThrow(/EFBIG|file too large/i);
    } finally {
      undo();
    }
    expect(filesUnder(path.join(path.dirname(db.$client.name), 'images'))).toEqual([]);
  });
});
