/**
 * npm run demo: build when needed, import the bundled samples into a demo database
 * (data/demo unless LOUPE_DATA_DIR says otherwise), compute their pixel signals, make one account per role, and serve
 * the app. Without an OPENAI_API_KEY, regeneration talks to the local OpenAI-compatible
 * server (simulated).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openDb } from '../db';
import { PERMISSIONS, ROLES, type Permission, type Role } from '../lib/auth/roles';
import { addUser, generatePassword, listUsers } from '../lib/auth/users';
import { startLocalOpenAI } from '../lib/openai-local/server';
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

// The pixel signals (SSIM, changed fraction, padding, near-duplicates) run on this machine with no API key,
// so the review page's signal chips and the signal-ordered queues work out of the box. Measured items are skipped.
console.error('Computing the pixel signals of the samples…');
run(process.execPath, [
  path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
  path.join(root, 'cli', 'loupe.ts'),
  'signals',
  '--dataset',
  'gpt-edit-mini',
  '--wait',
]);

/**
 * The demo's accounts: on a database without users, one per role (named after it) with a
 * fresh password, written owner-only to demo-credentials.txt so a later run can show them
 * again. Outside the demo Loupe has no default accounts.
 */
async function demoAccounts(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'demo-credentials.txt');
  const db = openDb(path.join(dataDir, 'loupe.db'));
  try {
    if (listUsers(db).length > 0) {
      if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
      return `  This demo database already has accounts (npm run loupe -- user list), and ${file} is gone.\n  Delete ${dataDir} to start the demo over with fresh accounts.\n`;
    }
    const may = (role: Role) =>
      (Object.keys(PERMISSIONS) as Permission[]).filter((p) => (PERMISSIONS[p] as readonly Role[]).includes(role)).join(', ');
    const rows = [['username', 'password', 'may']];
    for (const role of ROLES) {
      const password = generatePassword();
      await addUser(db, { username: role, roles: [role], password });
      rows.push([role, password, may(role)]);
    }
    const width = (column: number) => Math.max(...rows.map((row) => row[column].length));
    const table = rows.map((row) => `    ${row.map((cell, i) => cell.padEnd(width(i))).join('   ')}`.trimEnd()).join('\n');
    const text = `  Demo accounts (sign in at /login; also in ${file}):\n${table}\n`;
    fs.writeFileSync(file, text, { mode: 0o600 });
    fs.chmodSync(file, 0o600); // an existing file keeps its mode on overwrite
    return text;
  } finally {
    db.$client.close();
  }
}

const accounts = await demoAccounts(env.LOUPE_DATA_DIR!);

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
    console.log(
      `\n${accounts}\n  Loupe demo is running: http://localhost:${port}\n  Review: http://localhost:${port}/review\n${simulated}`,
    );
  }
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
