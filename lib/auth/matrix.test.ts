/**
 * The authorization matrix: every route handler, called with every role (and with no
 * session), answers as docs/api.md's table says. The test reads the table from the docs,
 * so the docs cannot drift from what the server does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRoute, closeRoutes, signInRoles } from '@/lib/test/routes';
import { PERMISSIONS, ROLES, type Permission, type Role } from './roles';

const root = path.resolve(import.meta.dirname, '../..');

interface MatrixRow {
  method: string;
  path: string;
  permission: Permission | 'public';
  roles: string[];
}

/** The rows of the "Authorization matrix" table in docs/api.md. */
export function readMatrix(): MatrixRow[] {
  const doc = fs.readFileSync(path.join(root, 'docs/api.md'), 'utf8');
  const section = doc.split('## Authorization matrix')[1]?.split('\n## ')[0];
  if (!section) throw new Error('docs/api.md has no "## Authorization matrix" section');
  return section
    .split('\n')
    .filter((line) => /^\|\s*(GET|POST|PUT|PATCH|DELETE)\s*\|/.test(line))
    .map((line) => {
      const [method, route, permission, roles] = line.split('|').slice(1, 5).map((cell) => cell.replace(/`/g, '').trim());
      return { method, path: route, permission: permission as Permission | 'public', roles: roles.split(',').map((r) => r.trim()).filter(Boolean) };
    });
}

/** Every exported method of every app/api route file, as "METHOD /api/path/:param". */
function routeHandlers(): { method: string; path: string; file: string }[] {
  const files = (fs.readdirSync(path.join(root, 'app/api'), { recursive: true }) as string[])
    .filter((file) => path.basename(file) === 'route.ts')
    .map((file) => path.join('app/api', file));
  return files.flatMap((file) => {
    const source = fs.readFileSync(path.join(root, file), 'utf8');
    const url = '/' + path.dirname(file).replace(/^app\//, '').replace(/\[\.\.\.(\w+)\]/g, '*').replace(/\[(\w+)\]/g, ':$1');
    return [...source.matchAll(/export (?:const|async function) (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => ({
      method: m[1],
      path: url,
      file,
    }));
  });
}

const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

describe('authorization matrix (docs/api.md)', () => {
  let cookies: Map<Role, string>;

  beforeAll(async () => {
    cookies = await signInRoles(ROLES);
  });
  afterAll(closeRoutes);

  it('lists every route handler exactly once, with the roles its permission grants', () => {
    const matrix = readMatrix();
    expect(matrix.length).toBeGreaterThan(10);
    expect(matrix.map(key).sort()).toEqual(routeHandlers().map(key).sort());
    for (const row of matrix) {
      if (row.permission === 'public') continue;
      expect(PERMISSIONS[row.permission], key(row)).toBeDefined();
      expect(row.roles, key(row)).toEqual([...PERMISSIONS[row.permission]]);
    }
  });

  it('answers 401 without a session, 403 for roles without the permission, and lets the others through', async () => {
    const handlers = new Map(routeHandlers().map((h) => [key(h), h]));
    const failures: string[] = [];
    for (const row of readMatrix()) {
      if (row.permission === 'public') continue;
      const file = handlers.get(key(row))?.file;
      if (!file) {
        failures.push(`${key(row)}: no such route handler`);
        continue;
      }
      const params = Object.fromEntries([...row.path.matchAll(/:(\w+)/g)].map((m) => [m[1], m[1] === 'kind' ? 'source' : '1']));
      const url = row.path.replace(/:(\w+)/g, (_, name) => params[name]);
      const call = async (cookie?: string) => (await callRoute(file, row.method as 'GET', { url, cookie, params })).status;
      const anonymous = await call();
      if (anonymous !== 401) failures.push(`${key(row)} without a session: ${anonymous}, expected 401`);
      for (const role of ROLES) {
        const status = await call(cookies.get(role));
        const allowed = row.roles.includes(role);
        if (allowed && (status === 401 || status === 403 || status >= 500)) failures.push(`${key(row)} as ${role}: ${status}, expected to be let through`);
        if (!allowed && status !== 403) failures.push(`${key(row)} as ${role}: ${status}, expected 403`);
      }
    }
    expect(failures).toEqual([]);
  });
});
