import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The sources `next build` is made from; the build is stale when any is newer than it. */
const BUILD_INPUTS = ['app', 'components', 'lib', 'db', 'public', 'next.config.js', 'package-lock.json', 'postcss.config.mjs'];

function newestMtime(entry: string): number {
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(entry).map((name) => newestMtime(path.join(entry, name))));
}

/** Runs `next build` when there is no production build or a source changed since the last one. */
export function buildIfNeeded(root: string, env: NodeJS.ProcessEnv) {
  const buildId = path.join(root, '.next', 'BUILD_ID');
  const newest = Math.max(
    ...BUILD_INPUTS.map((name) => path.join(root, name))
      .filter(fs.existsSync)
      .map(newestMtime),
  );
  if (fs.existsSync(buildId) && fs.statSync(buildId).mtimeMs >= newest) return;
  console.error('Building Loupe (next build)…');
  const result = spawnSync(path.join(root, 'node_modules', '.bin', 'next'), ['build'], { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
