/**
 * Playwright's web server: a fresh e2e data directory and the production build
 * (`next build` when stale, then `next start`), the same way users run Loupe.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildIfNeeded } from '../cli/build-if-needed';
import { E2E_DATA_DIR, E2E_PORT } from './env';

const root = path.resolve(import.meta.dirname, '..');
fs.rmSync(E2E_DATA_DIR, { recursive: true, force: true });
fs.mkdirSync(E2E_DATA_DIR, { recursive: true });
const env = { ...process.env, LOUPE_DATA_DIR: E2E_DATA_DIR, NEXT_TELEMETRY_DISABLED: '1', PORT: String(E2E_PORT) };
buildIfNeeded(root, env);
const server = spawn(path.join(root, 'node_modules', '.bin', 'next'), ['start'], { cwd: root, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
