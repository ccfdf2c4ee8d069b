/**
 * Calling route handlers in tests the way the browser does: the server's lazily opened
 * database in a temporary LOUPE_DATA_DIR, a signed-in session cookie per role, an Origin.
 */
import path from 'node:path';
import type { Role } from '@/lib/auth/roles';
import { cleanupTemp, tempDir } from './factories';

export const TEST_ORIGIN = 'http://localhost:3000';
/** The password of every user the route tests make. */
export const TEST_PASSWORD = 'route-test-password';
const AUTH_ROUTE = 'app/api/auth/[...all]/route.ts';
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
  const { addUser } = await import('@/lib/auth/users');
  const cookies = new Map<Role, string>();
  for (const role of roles) {
    await addUser(getDb(), { username: `only-${role}`, roles: [role], password: TEST_PASSWORD });
    cookies.set(role, await signIn(`only-${role}`));
  }
  return cookies;
}

/** A fresh session of a user, as the login page makes it (through /api/auth/sign-in/username); its Cookie header. */
export async function signIn(username: string, password = TEST_PASSWORD): Promise<string> {
  const answer = await callRoute(AUTH_ROUTE, 'POST', { url: '/api/auth/sign-in/username', body: { username, password } });
  if (answer.status !== 200) throw new Error(`signing in ${username} answered ${answer.status}: ${answer.text}`);
  return answer.cookie;
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
  const handlers = (await import(/* @vite-ignore */ path.join(root, file))) as Record<string, Handler>;
  return handlers[method];
}

export interface RouteCall {
  url?: string;
  cookie?: string;
  body?: unknown;
  params?: Record<string, string>;
  /** The Origin header (default TEST_ORIGIN); null: none. */
  origin?: string | null;
  /** The address the request was sent to, as the Host header (Next's request.url stays localhost). */
  host?: string;
}

/**
 * Calls a route handler with a cookie (or none), an Origin and a Host; answers status,
 * headers, text, JSON and the cookies it set (as a Cookie header).
 */
export async function callRoute(file: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', options: RouteCall = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const origin = options.origin === undefined ? TEST_ORIGIN : options.origin;
  if (origin) headers.origin = origin;
  if (options.host) headers.host = options.host;
  if (options.cookie) headers.cookie = options.cookie;
  const request = new Request(TEST_ORIGIN + (options.url ?? '/'), {
    method,
    headers,
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
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the answer's fields directly, each asserting what it reads
  return { status: response.status, headers: response.headers, text, json: json as Record<string, any>, cookie };
}
