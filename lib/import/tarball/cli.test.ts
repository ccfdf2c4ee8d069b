import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { progressDetail } from '@/cli/import';
import { parseStdout, runLoupe } from '@/lib/test/cli';
import { cleanupTemp, SAMPLES_DIR, tempDir } from '@/lib/test/factories';
import { gzipTar, layoutMembers, writeParts } from '@/lib/test/tarball';

afterEach(cleanupTemp);

describe('loupe import of split tarballs', () => {
  it('takes the parts as several paths; a missing part or paths that are not parts exit 1 naming them', async () => {
    const dir = path.join(tempDir('loupe-cli-parts-'), 'gpt-edit');
    const parts = writeParts(dir, 'hqedit.tar.gz', await gzipTar(layoutMembers(path.join(SAMPLES_DIR, 'hqedit'), 'gpt-edit/hqedit/'), 1), {
      partBytes: 256 * 1024,
    });
    expect(parts.length).toBeGreaterThanOrEqual(3);

    const dataDir = tempDir('loupe-cli-data-');
    const imported = runLoupe(dataDir, ['import', ...parts, '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(parseStdout(imported.stdout)).toMatchObject({
      dataset: 'gpt-edit',
      format: 'gpt-edit-tarball',
      files: parts.length,
      imported: 3,
      skipped: 0,
    });

    fs.rmSync(parts[1]);
    const missing = runLoupe(tempDir('loupe-cli-data-'), ['import', dir, '--json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      'loupe import: hqedit.tar.gz.part002 is missing (between hqedit.tar.gz.part001 and hqedit.tar.gz.part003)',
    );
    expect(parseStdout(missing.stdout)).toEqual({
      error: 'hqedit.tar.gz.part002 is missing (between hqedit.tar.gz.part001 and hqedit.tar.gz.part003)',
    });

    const json = path.join(SAMPLES_DIR, 'hqedit/edit/metadata/hqedit_edit.json');
    const notParts = runLoupe(tempDir('loupe-cli-data-'), ['import', json, json]);
    expect(notParts.code).toBe(1);
    expect(notParts.stderr).toContain('several paths are read only as the parts of split tarballs');
  }, 120_000);

  it('shows bytes, records and the time left in the progress line', () => {
    const GiB = 1 << 30;
    expect(progressDetail({ bytesRead: GiB, bytesTotal: 5 * GiB, records: 12000 }, 50_000)).toBe(
      '1.0 GiB of 5.0 GiB, 12,000 records, ETA 3m 20s',
    );
    expect(progressDetail({ bytesRead: GiB, bytesTotal: 5 * GiB, records: 0 }, 500)).toBe('1.0 GiB of 5.0 GiB, 0 records'); // too early to say
    expect(progressDetail({ bytesRead: 1, bytesTotal: 7201, records: 1 }, 1000)).toBe('1 bytes of 7.0 KiB, 1 records, ETA 2h 0m 0s');
  });
});
