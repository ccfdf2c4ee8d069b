import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveFormatOf } from '@/lib/import/formats';
import { cleanupTemp, copySamples, SAMPLES_DIR, tempDb, tempDir } from '@/lib/test/factories';
import { gzipTar, layoutMembers } from '@/lib/test/tarball';
import { looksLikeTarballs } from './parts';

afterEach(cleanupTemp);

describe('tarball auto-detection', () => {
  it('an extracted layout with a stray tarball (or part) beside it imports as the layout', async () => {
    const layout = copySamples();
    const archive = await gzipTar(layoutMembers(path.join(SAMPLES_DIR, 'hqedit'), 'hqedit/'), 1);
    fs.writeFileSync(path.join(layout, 'backup.tar.gz'), archive);
    const { format, run } = await resolveFormatOf([layout]);
    expect(format.name).toBe('gpt-edit');
    const { db } = tempDb();
    expect(await run(db, {})).toMatchObject({ format: 'gpt-edit', imported: 12, skipped: 0 });

    fs.writeFileSync(path.join(layout, 'backup.tar.gz.part001'), archive);
    expect((await resolveFormatOf([layout])).format.name).toBe('gpt-edit');
  });

  it('a folder is tarballs when it holds parts, or only whole archives (and metadata); not for one stray archive among other files', async () => {
    const dir = tempDir('loupe-detect-');
    const archive = await gzipTar(layoutMembers(path.join(SAMPLES_DIR, 'hqedit'), 'hqedit/'), 1);
    fs.writeFileSync(path.join(dir, 'hqedit.tar.gz'), archive);
    fs.writeFileSync(path.join(dir, 'extra.json'), '[]');
    expect(looksLikeTarballs(dir)).toBe(true);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'a stray file');
    expect(looksLikeTarballs(dir)).toBe(false);
    fs.writeFileSync(path.join(dir, 'omniedit.tar.gz.part001'), archive);
    expect(looksLikeTarballs(dir)).toBe(true);
  });
});
