import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { parseId } from './params';

/**
 * Pages read ids from their URL with parseId (strict decimal), never Number() or
 * z.coerce, which take `0x1`, `1e0`, ` 1` or `1.0` as 1.
 */
const LOOSE = /Number\(\s*(first\(|search|params|query)|z\.coerce|parseInt\(|parseFloat\(/;

function pages(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /^page\.tsx?$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

it('no page parses a URL id loosely', () => {
  const loose = pages(path.join(process.cwd(), 'app')).flatMap((file) =>
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) => (LOOSE.test(line) ? [`${path.relative(process.cwd(), file)}:${i + 1}: ${line.trim()}`] : [])),
  );
  expect(loose).toEqual([]);
});

it('parseId treats a loose id as absent', () => {
  for (const bad of ['0x1', '1e0', ' 1', '01', '1.0', '-1', '+1', '', undefined, '0']) expect(parseId(bad), String(bad)).toBeUndefined();
  expect(parseId('12')).toBe(12);
});
