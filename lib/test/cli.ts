import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the real CLI (`tsx cli/loupe.ts ...`) from the repo root with its own data folder. */
export function runLoupe(dataDir: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(path.join(REPO, 'node_modules', '.bin', 'tsx'), ['cli/loupe.ts', ...args], {
    cwd: REPO,
    env: { ...process.env, LOUPE_DATA_DIR: dataDir, ...env },
    encoding: 'utf8',
    timeout: 50_000,
  });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** stdout must be exactly one JSON object (and a newline): nothing else may be printed there. */
export function parseStdout(stdout: string): Record<string, unknown> {
  expect(stdout.endsWith('\n')).toBe(true);
  expect(stdout.trimEnd().split('\n')).toHaveLength(1);
  const value = JSON.parse(stdout);
  expect(typeof value === 'object' && value !== null && !Array.isArray(value)).toBe(true);
  return value;
}
