/**
 * Calling route handlers in tests the way the browser does: the server's lazily opened
 * database in a temporary LOUPE_DATA_DIR, a signed-in session cookie per role, an Origin.
 */
import path from 'node:path';
import type { Role } from '@/lib/auth/roles';
import { cleanupTemp, tempDir } from './factories';

export const TEST_ORIGIN = 'http://localhost:3000';
const root = path.resolve(import.meta.dirname, '../..');

/**
 * Points the server's connection at a fresh data folder (no job worker), makes one user per
 * role (`only-<role>`) and signs each in through better-auth's own endpoint. Returns the
 * Cookie header of each role.
 */
export async function signInRoles(roles: readonly Role[]): Promise<Map<Role, string>> {
  process.env.LOUPE_DATA_DIR = tempDir('loupe-routes-');
  process.env.LOUPE_WORKER = 'off';
  const { getDb } = await import('@/db');
  const { getAuth } = await import('@/lib/auth/auth');
  const { addUser } = await import('@/lib/auth/users');
  const cookies = new Map<Role, string>();
  for (const role of roles) {
    const username = `only-${role}`;
    const password = 'route-test-password';
    await addUser(getDb(), { username, roles: [role], password });
    const response = await getAuth().handler(
      new Request(`${TEST_ORIGIN}/api/auth/sign-in/username`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: TEST_ORIGIN },
        body: JSON.stringify({ username, password }),
      }),
    );
    if (response.status !== 200) throw new Error(`signing in ${username} answered ${response.status}`);
    cookies.set(role, response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; '));
  }
  return cookies;
}

/** Closes the server's connection and removes the temporary folders. */
export async function closeRoutes() {
  const { getDb } = await import('@/db');
  getDb().$client.close();
  cleanupTemp();
}

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** One route handler of an app/api file, e.g. ('app/api/signals/route.ts', 'POST'). */
export async function routeHandler(file: string, method: string): Promise<Handler> {
  const module = (await import(/* @vite-ignore */ path.join(root, file))) as Record<string, Handler>;
  return module[method];
}

/** Calls a route handler with a cookie (or none) and an Origin; answers status, headers, text and JSON. */
export async function callRoute(
  file: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  options: { url?: string; cookie?: string; body?: unknown; params?: Record<string, string> } = {},
) {
  const request = new Request(TEST_ORIGIN + (options.url ?? '/'), {
    method,
    headers: { origin: TEST_ORIGIN, 'content-type': 'application/json', ...(options.cookie ? { cookie: options.cookie } : {}) },
    body: method === 'GET' ? undefined : JSON.stringify(options.body ?? {}),
  });
  const response = await (await routeHandler(file, method))(request, { params: Promise.resolve(options.params ?? {}) });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json: json as Record<string, any> };
}
