/**
 * npm run demo: build when needed, import the bundled samples into a demo database
 * (data/demo unless LOUPE_DATA_DIR says otherwise) and serve the app. Without an
 * OPENAI_API_KEY, regeneration talks to the local OpenAI-compatible server (simulated).
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { startLocalOpenAI } from '../lib/openai-local';
import { buildIfNeeded } from './build-if-needed';

const root = path.resolve(import.meta.dirname, '..');
const port = process.env.PORT || '3000';
const env: NodeJS.ProcessEnv = {
  ...process.env,
  LOUPE_DATA_DIR: process.env.LOUPE_DATA_DIR || path.join(root, 'data', 'demo'),
  NEXT_TELEMETRY_DISABLED: '1',
};
const nextBin = path.join(root, 'node_modules', '.bin', 'next');

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

buildIfNeeded(root, env);

console.error(`Loading the bundled samples into ${env.LOUPE_DATA_DIR}…`);
run(process.execPath, [
  path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
  path.join(root, 'cli', 'loupe.ts'),
  'import',
  path.join(root, 'samples', 'gpt-edit'),
  '--dataset',
  'gpt-edit-mini',
]);

let simulated = '';
if (!env.OPENAI_API_KEY) {
  const openai = await startLocalOpenAI({ port: 0 });
  Object.assign(env, { OPENAI_API_KEY: 'local-simulated', OPENAI_BASE_URL: openai.url });
  simulated = `  Regeneration is simulated by a local OpenAI-compatible server (${openai.url}); set OPENAI_API_KEY for the real API.\n`;
}

const server = spawn(nextBin, ['start', '-p', port], { cwd: root, env, stdio: ['inherit', 'pipe', 'inherit'] });
server.stdout.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  if (/ready|started/i.test(chunk.toString())) {
    console.log(`\n  Loupe demo is running: http://localhost:${port}\n  Review: http://localhost:${port}/review\n${simulated}`);
  }
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
