/**
 * The importers over the adversarial corpus (make-corpus.ts), in a child process: each bad
 * record is refused with its reason, the good records arrive, and peak memory stays
 * bounded although the corpus holds a 200 MB record and a 1 GB image file.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTemp, tempDir } from '@/lib/test/factories';
import type { CorpusRun } from './import-corpus';
import { makeCorpus, type Corpus, type ExpectedReason } from './make-corpus';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
// The import's peak memory, whatever the corpus holds (Node and tsx alone take about 100 MB).
const MAX_RSS_MB = 400;

let corpus: Corpus;
let run: CorpusRun;

beforeAll(async () => {
  corpus = await makeCorpus(path.join(tempDir('loupe-corpus-'), 'corpus'));
  const db = path.join(tempDir('loupe-corpus-db-'), 'loupe.db');
  const stdout = execFileSync(path.join(ROOT, 'node_modules/.bin/tsx'), ['lib/import/adversarial/import-corpus.ts', corpus.dir, db], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  run = JSON.parse(stdout);
  console.log(`adversarial corpus: peak RSS of the import ${run.maxRssMb} MB`);
}, 180_000);

afterAll(cleanupTemp);

const reason = (expected: ExpectedReason) =>
  typeof expected === 'string' ? expected : expect.stringMatching(new RegExp(expected.pattern));

describe('the adversarial corpus', () => {
  it.each(['gpt-edit', 'jsonl', 'csv'] as const)('%s: every bad record is refused with its reason, every good one arrives', (name) => {
    const expected = corpus.imports[name];
    const result = run.results[name];
    expect(result).not.toHaveProperty('error');
    expect(result).toMatchObject({ format: expected.format, imported: expected.imported });
    const problems = expected.problems!.map((p) => ({ ...p, reason: reason(p.reason) }));
    expect((result as { problems: unknown[] }).problems).toEqual(problems);
    expect((result as { skipped: number }).skipped).toBe(problems.length);
  });

  it('the 200 MB record, the 10-million-deep one and the 1 GB image are refused in bounded memory', () => {
    const text = corpus.imports['gpt-edit'].problems!.filter((p) => p.file.includes('adversarial'));
    expect(text.length).toBeGreaterThan(15);
    expect(run.maxRssMb).toBeGreaterThan(0);
    expect(run.maxRssMb).toBeLessThan(MAX_RSS_MB);
  });

  it('a parquet file of the wrong schema: auto-detection says which columns are missing', () => {
    expect(run.results.parquet).toEqual({ error: corpus.imports.parquet.error });
  });
});
