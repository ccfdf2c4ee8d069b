/**
 * Playwright's web server: a fresh e2e data directory, the local OpenAI-compatible server
 * (the real API is out of reach here) and the production build (`next build` when stale,
 * then `next start`), the same way users run Loupe.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startLocalOpenAI } from '../lib/openai-local/server';
import { buildIfNeeded } from '../cli/build-if-needed';
import { openDb } from '../db';
import { addUser } from '../lib/auth/users';
import { E2E_DATA_DIR, E2E_OPENAI_PORT, E2E_PASSWORD, E2E_PORT, E2E_USERS } from './env';

const root = path.resolve(import.meta.dirname, '..');
fs.rmSync(E2E_DATA_DIR, { recursive: true, force: true });
fs.mkdirSync(E2E_DATA_DIR, { recursive: true });
// The accounts the tests sign in as (there are no default accounts).
const db = openDb(path.join(E2E_DATA_DIR, 'loupe.db'));
for (const [username, roles] of Object.entries(E2E_USERS)) await addUser(db, { username, roles: [...roles], password: E2E_PASSWORD });
db.$client.close();
const openai = await startLocalOpenAI({ port: E2E_OPENAI_PORT });
const env = {
  ...process.env,
  LOUPE_DATA_DIR: E2E_DATA_DIR,
  NEXT_TELEMETRY_DISABLED: '1',
  PORT: String(E2E_PORT),
  OPENAI_API_KEY: 'local-test-key',
  OPENAI_BASE_URL: openai.url,
  // Tests sign in many times from one address.
  LOUPE_SIGNIN_LIMIT: '0',
};
buildIfNeeded(root, env);
const server = spawn(path.join(root, 'node_modules', '.bin', 'next'), ['start'], { cwd: root, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.kill(signal);
    void openai.close();
  });
}
server.on('exit', (code) => process.exit(code ?? 0));
