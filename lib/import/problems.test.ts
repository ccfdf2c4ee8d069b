import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cleanupTemp, pngBuffer, tempDb, tempDir } from '@/lib/test/factories';
import { importJsonl } from './json-formats/generic';
import { MAX_KEPT_PROBLEMS, ProblemList } from './problems';

afterEach(cleanupTemp);

it('keeps the first problems in file order, whatever order they are reported in, and counts all', () => {
  const list = new ProblemList(3);
  for (const n of [9, 4, 7, 1, 8, 2, 6, 3, 5, 0]) list.add({ file: 'f', record: n, reason: `bad ${n}` }, [0, n]);
  list.add({ file: 'g', reason: 'unreadable' }, [1, 0]);
  expect(list.sorted().map((p) => p.record)).toEqual([0, 1, 2]);
  expect({ total: list.total, skipped: list.skipped, more: list.more }).toEqual({ total: 11, skipped: 10, more: 8 });
});

it('an import of many bad records keeps only the first problems in memory and in its run, and says how many more', async () => {
  const dir = tempDir('loupe-problems-');
  fs.mkdirSync(path.join(dir, 'imgs'));
  fs.writeFileSync(path.join(dir, 'imgs/a.png'), await pngBuffer(8, 8));
  const bad = 5000;
  const lines = Array.from(
    { length: bad },
    (_, i) => `{"id":"bad${i}","source":"imgs/a.png","edited":"imgs/a.png","instruction":"Tab\\there ${i}"}`,
  );
  lines.push('{"id":"good","source":"imgs/a.png","edited":"imgs/a.png","instruction":"Make it red."}');
  const file = path.join(dir, 'edits.jsonl');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const { db } = tempDb();
  const summary = await importJsonl(db, file);
  expect(summary.imported).toBe(1);
  expect(summary.skipped).toBe(bad);
  expect(summary.problems).toHaveLength(MAX_KEPT_PROBLEMS);
  expect(summary.problems[0].record).toBe('bad0');
  expect(summary.problems.at(-1)!.record).toBe(`bad${MAX_KEPT_PROBLEMS - 1}`);
  expect(summary.moreProblems).toBe(bad - MAX_KEPT_PROBLEMS);
  const run = db.$client.prepare('SELECT skipped, problems FROM import_runs WHERE id = ?').get(summary.importRunId) as {
    skipped: number;
    problems: string;
  };
  expect(run.skipped).toBe(bad);
  expect(JSON.parse(run.problems)).toHaveLength(MAX_KEPT_PROBLEMS);
});
