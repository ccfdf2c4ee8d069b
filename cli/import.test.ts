import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { parseStdout, runLoupe } from '@/lib/test/cli';
import { cleanupTemp, copySamples, gptEditRecord, tempDir } from '@/lib/test/factories';

afterEach(cleanupTemp);

/** Runs the real CLI with its own data folder. */
const loupe = (dataDir: string, ...args: string[]) => runLoupe(dataDir, args);

describe('loupe import --json', () => {
  it('prints one JSON summary, exits 0 with skipped records, and is idempotent', () => {
    const root = copySamples();
    // One extra record whose images do not exist: skipped, not fatal.
    const metadataFile = path.join(root, 'omniedit', 'removal', 'metadata', 'omniedit_removal.json');
    const records = JSON.parse(fs.readFileSync(metadataFile, 'utf8'));
    records.push(gptEditRecord('omniedit', 'removal', 99));
    fs.writeFileSync(metadataFile, JSON.stringify(records, null, 2));
    const dataDir = tempDir('loupe-cli-data-');

    const first = loupe(dataDir, 'import', root, '--json');
    expect(first.code, first.stderr).toBe(0);
    const summary = parseStdout(first.stdout);
    expect(summary).toMatchObject({
      dataset: 'gpt-edit',
      path: root,
      format: 'gpt-edit',
      files: 11,
      imported: 12,
      alreadyPresent: 0,
      skipped: 1,
      problems: [
        {
          file: 'omniedit/removal/metadata/omniedit_removal.json',
          record: 'omniedit_removal_00000099',
          reason: 'input input/00000099.png: image file not found',
        },
      ],
    });
    // The progress bar and the one-line report go to stderr.
    expect(first.stderr).toMatch(/Imported 12 into dataset "gpt-edit", 0 already present, 1 skipped/);

    // The database is in LOUPE_DATA_DIR.
    const sqlite = new Database(path.join(dataDir, 'loupe.db'), { readonly: true });
    try {
      expect(sqlite.prepare('select count(*) from items').pluck().get()).toBe(12);
    } finally {
      sqlite.close();
    }

    const second = loupe(dataDir, 'import', root, '--json');
    expect(second.code, second.stderr).toBe(0);
    expect(parseStdout(second.stdout)).toMatchObject({ dataset: 'gpt-edit', imported: 0, alreadyPresent: 12, skipped: 1 });
  });

  it('takes --dataset', () => {
    const root = copySamples();
    const result = loupe(tempDir('loupe-cli-data-'), 'import', path.join(root, 'hqedit'), '--dataset', 'hq only', '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(parseStdout(result.stdout)).toMatchObject({ dataset: 'hq only', files: 2, imported: 3, skipped: 0, problems: [] });
  });

  it('exits non-zero for a path that does not exist, with the error as JSON', () => {
    const missing = path.join(tempDir(), 'no-such-folder');
    const result = loupe(tempDir('loupe-cli-data-'), 'import', missing, '--json');
    expect(result.code).not.toBe(0);
    expect(parseStdout(result.stdout)).toEqual({ error: `no such file or folder: ${missing}` });
    expect(result.stderr).toContain('loupe import: no such file or folder');
  });

  it('exits non-zero for a folder with no metadata', () => {
    const result = loupe(tempDir('loupe-cli-data-'), 'import', tempDir(), '--json');
    expect(result.code).not.toBe(0);
    expect(parseStdout(result.stdout)).toEqual({ error: expect.stringMatching(/^no metadata files found/) });
  });
});
