import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb } from '@/db';
import { recordVerdict } from '@/lib/review/verdicts';
import { parseStdout, runLoupe } from '@/lib/test/cli';
import { cleanupTemp, copySamples, tempDir } from '@/lib/test/factories';

let dataDir: string;

/** Runs the real CLI against the temporary data folder. */
const loupe = (...args: string[]) => runLoupe(dataDir, args);
/** stdout must be exactly one JSON object on one line. */
const onlyJson = parseStdout;

beforeEach(() => {
  dataDir = tempDir('loupe-data-');
});
afterEach(cleanupTemp);

describe('loupe export', () => {
  it('exports the accepted items and prints one JSON summary', () => {
    expect(loupe('import', copySamples(), '--json').code).toBe(0);
    const db = openDb(path.join(dataDir, 'loupe.db'));
    const who = { holder: 'cli-test', reviewer: 'alice' };
    for (const externalId of ['hqedit_edit_00000001', 'omniedit_style_00000004']) {
      const itemId = db.$client.prepare<[string], number>('SELECT id FROM items WHERE external_id = ?').pluck().get(externalId)!;
      recordVerdict(db, who, { itemId, decision: 'accept' });
    }
    db.$client.close();

    const out = path.join(tempDir(), 'export');
    const run = loupe('export', '--out', out, '--json');
    expect(run.code, run.stderr).toBe(0);
    const summary = onlyJson(run.stdout);
    expect(summary).toMatchObject({
      out,
      format: 'gpt-edit',
      filter: { status: 'accepted', dataset: null, family: null, task: null },
      items: 2,
      files: 6,
      problems: [],
    });
    expect(typeof summary.seconds).toBe('number');
    expect(fs.existsSync(path.join(out, 'omniedit/style/metadata/omniedit_style.json'))).toBe(true);

    // A named dataset and a family filter.
    const filtered = loupe('export', '--out', out, '--dataset', 'gpt-edit', '--family', 'hqedit', '--status', 'all', '--json');
    expect(filtered.code, filtered.stderr).toBe(0);
    expect(onlyJson(filtered.stdout)).toMatchObject({ items: 3, filter: { status: 'all', dataset: 'gpt-edit', family: 'hqedit' } });
  });

  it('exits 1 with a clear message for an unknown dataset or a foreign folder', () => {
    expect(loupe('import', copySamples()).code).toBe(0);
    const unknown = loupe('export', '--out', path.join(tempDir(), 'x'), '--dataset', 'nope', '--json');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no dataset named "nope"');
    expect(onlyJson(unknown.stdout)).toEqual({ error: 'no dataset named "nope"' });

    const foreign = tempDir();
    fs.writeFileSync(path.join(foreign, 'notes.txt'), 'mine');
    const refused = loupe('export', '--out', foreign);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not a Loupe export/);
    expect(refused.stdout).toBe('');
  });
});
