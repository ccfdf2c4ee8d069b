/**
 * The authorization matrix: every route handler and every page answers as docs/api.md's
 * tables say. Route files are read with the TypeScript compiler, so a handler exported in any
 * form (`export function GET`, `export const GET`, `export { GET } from`, `export *`) is found;
 * each handler says which permission it checks (route() records it), so `manage` and
 * `adjudicate`, which the same roles hold today, are still told apart. Allowed roles must get
 * a real answer, the others exactly 403; the role-filtered answers (comments, team statistics)
 * are checked by content.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLES_DIR } from '@/lib/test/factories';
import { callRoute, closeRoutes, signInRoles } from '@/lib/test/routes';
import { PERMISSIONS, ROLES, type Permission, type Role } from './roles';

const root = path.resolve(import.meta.dirname, '../..');
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

interface MatrixRow {
  method: string;
  path: string;
  permission: Permission | 'public';
  roles: string[];
}

/** The "## Authorization matrix" section of docs/api.md. */
function matrixSection(): string {
  const doc = fs.readFileSync(path.join(root, 'docs/api.md'), 'utf8');
  const section = doc.split('## Authorization matrix')[1]?.split('\n## ')[0];
  if (!section) throw new Error('docs/api.md has no "## Authorization matrix" section');
  return section;
}

/** The rows of the route table in docs/api.md. */
export function readMatrix(): MatrixRow[] {
  return matrixSection()
    .split('\n')
    .filter((line) => /^\|\s*(GET|POST|PUT|PATCH|DELETE)\s*\|/.test(line))
    .map((line) => {
      const [method, route, permission, roles] = line
        .split('|')
        .slice(1, 5)
        .map((cell) => cell.replace(/`/g, '').trim());
      return {
        method,
        path: route,
        permission: permission as Permission | 'public',
        roles: roles
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean),
      };
    });
}

/** The rows of the page table in docs/api.md: page path → permission. */
function readPageTable(): Map<string, Permission | 'public'> {
  const rows = matrixSection()
    .split('\n')
    .filter((line) => /^\|\s*`\/[^`]*`\s*\|/.test(line))
    .map(
      (line) =>
        line
          .split('|')
          .slice(1, 3)
          .map((cell) => cell.replace(/`/g, '').trim()) as [string, Permission | 'public'],
    );
  return new Map(rows);
}

type ReadFile = (file: string) => string | undefined;
const readSource: ReadFile = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined);

/** A module specifier of `from` resolved to a file ('@/' is the repository root). */
function resolveModule(from: string, specifier: string, read: ReadFile): string {
  const base = specifier.startsWith('@/') ? path.join(root, specifier.slice(2)) : path.resolve(path.dirname(from), specifier);
  const candidate = [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')].find((file) => read(file) !== undefined);
  if (!candidate) throw new Error(`${from}: cannot resolve "${specifier}"`);
  return candidate;
}

const isExported = (node: ts.Node) =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/**
 * The names a module exports, read with the TypeScript parser: declarations (function,
 * const/let, class), `export { a, b as c }` with or without `from`, and `export * from`
 * (followed into the other file).
 */
export function exportedNames(file: string, read: ReadFile = readSource, seen = new Set<string>()): Set<string> {
  const names = new Set<string>();
  if (seen.has(file)) return names;
  seen.add(file);
  const text = read(file);
  if (text === undefined) throw new Error(`cannot read ${file}`);
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  for (const statement of source.statements) {
    if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && isExported(statement) && statement.name) {
      names.add(statement.name.text);
    } else if (ts.isVariableStatement(statement) && isExported(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name)) names.add(declaration.name.text);
      }
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) {
      const clause = statement.exportClause;
      if (clause && ts.isNamedExports(clause)) {
        for (const element of clause.elements) if (!element.isTypeOnly) names.add(element.name.text);
      } else if (!clause && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
        const target = resolveModule(file, statement.moduleSpecifier.text, read);
        for (const name of exportedNames(target, read, seen)) if (name !== 'default') names.add(name);
      }
    }
  }
  return names;
}

/** Every HTTP method handler of every app/api route file, as "METHOD /api/path/:param". */
function routeHandlers(): { method: string; path: string; file: string }[] {
  const files = (fs.readdirSync(path.join(root, 'app/api'), { recursive: true }) as string[])
    .filter((file) => /^route\.(ts|tsx|js|mjs)$/.test(path.basename(file)))
    .map((file) => path.join('app/api', file));
  return files.flatMap((file) => {
    const url =
      '/' +
      path
        .dirname(file)
        .replace(/^app\//, '')
        .replace(/\[\.\.\.(\w+)\]/g, '*')
        .replace(/\[(\w+)\]/g, ':$1');
    return [...exportedNames(path.join(root, file))].filter((name) => METHODS.has(name)).map((method) => ({ method, path: url, file }));
  });
}

/** Every page file, as its URL path ("/audits/:id/report"), with its source. */
function pages(): { path: string; file: string }[] {
  return (fs.readdirSync(path.join(root, 'app'), { recursive: true }) as string[])
    .filter((file) => /^page\.(tsx|ts|jsx|js)$/.test(path.basename(file)))
    .map((file) => {
      const dir = path.dirname(file).replace(/\\/g, '/');
      const url =
        dir === '.'
          ? '/'
          : '/' +
            dir
              .split('/')
              .filter((part) => !/^\(.*\)$/.test(part))
              .join('/')
              .replace(/\[(\w+)\]/g, ':$1');
      return { path: url, file: path.join('app', file) };
    });
}

/** The permission literals passed to requirePage() in a page's source. */
function pagePermissions(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'requirePage') {
      const first = node.arguments[0];
      found.push(first && ts.isStringLiteralLike(first) ? first.text : `<not a literal: ${first?.getText(source)}>`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

describe('reading route files', () => {
  it('finds handlers in every export form', () => {
    const files: Record<string, string> = {
      '/r/route.ts': [
        `import { route } from '@/lib/auth/guard';`,
        `export function GET() {}`,
        `export async function HEAD() {}`,
        `export const POST = route('view', () => new Response());`,
        `const handler = () => new Response(); export { handler as PUT };`,
        `export { PATCH } from './other';`,
        `export * from './more';`,
        `export type { OPTIONS } from './types';`,
        `// export function DELETE() {}`,
        `const notExported = 1;`,
      ].join('\n'),
      '/r/other.ts': 'export const PATCH = 1;',
      '/r/more.ts': 'export function DELETE() {} export default 1;',
    };
    const names = exportedNames('/r/route.ts', (file) => files[file]);
    expect([...names].filter((n) => METHODS.has(n)).sort()).toEqual(['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT']);
  });
});

describe('authorization matrix (docs/api.md)', () => {
  let cookies: Map<Role, string>;

  beforeAll(async () => {
    process.env.LOUPE_SIGNIN_LIMIT = '0';
    cookies = await signInRoles(ROLES);
  });
  afterAll(closeRoutes);

  it('lists every route handler exactly once, with the permission the handler checks and the roles that grant it', async () => {
    const matrix = readMatrix();
    const handlers = routeHandlers();
    expect(matrix.length).toBeGreaterThan(10);
    expect(matrix.map(key).sort()).toEqual(handlers.map(key).sort());
    const wrong: string[] = [];
    for (const handler of handlers) {
      const row = matrix.find((r) => key(r) === key(handler))!;
      const handlers = (await import(/* @vite-ignore */ path.join(root, handler.file))) as Record<string, { permission?: Permission }>;
      const checked = handlers[handler.method]?.permission ?? 'public';
      if (checked !== row.permission) wrong.push(`${key(row)}: the handler checks ${checked}, the docs say ${row.permission}`);
      if (checked === 'public' && !row.path.startsWith('/api/auth/')) wrong.push(`${key(row)}: not made with route()`);
      if (row.permission !== 'public' && JSON.stringify(row.roles) !== JSON.stringify(PERMISSIONS[row.permission])) {
        wrong.push(
          `${key(row)}: the docs list ${row.roles.join(', ')}, ${row.permission} is held by ${PERMISSIONS[row.permission].join(', ')}`,
        );
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers 401 without a session, exactly 403 for roles without the permission, and a real answer for the others', async () => {
    const handlers = new Map(routeHandlers().map((h) => [key(h), h]));
    const failures: string[] = [];
    for (const row of readMatrix()) {
      if (row.permission === 'public') continue;
      const file = handlers.get(key(row))!.file;
      const params = Object.fromEntries(
        [...row.path.matchAll(/:(\w+)/g)].map((m) => [m[1], m[1] === 'kind' ? 'source' : m[1] === 'username' ? 'only-admin' : '1']),
      );
      const url = row.path.replace(/:(\w+)/g, (_, name) => params[name]);
      const call = async (cookie?: string) => callRoute(file, row.method as 'GET', { url, cookie, params });
      const anonymous = await call();
      if (anonymous.status !== 401) failures.push(`${key(row)} without a session: ${anonymous.status}, expected 401`);
      for (const role of ROLES) {
        const { status, json } = await call(cookies.get(role));
        const allowed = row.roles.includes(role);
        if (allowed && (status === 401 || status === 403 || status >= 500)) {
          failures.push(`${key(row)} as ${role}: ${status} ${JSON.stringify(json)}, expected the handler's own answer`);
        }
        if (!allowed && status !== 403) failures.push(`${key(row)} as ${role}: ${status}, expected 403`);
        if (!allowed && !String(json?.error).includes(PERMISSIONS[row.permission as Permission].join(' or '))) {
          failures.push(`${key(row)} as ${role}: the 403 does not name the ${row.permission} roles`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('filters comments and team statistics by role as the docs say', async () => {
    const { getDb } = await import('@/db');
    const { importGptEdit } = await import('@/lib/import/import-gpt-edit');
    const datasetId = (await importGptEdit(getDb(), SAMPLES_DIR)).datasetId;
    getDb().$client.prepare('UPDATE datasets SET overlap = 2 WHERE id = ?').run(datasetId);
    const filter = { datasetId };
    for (const role of ['annotator', 'lead'] as const) {
      const cookie = cookies.get(role)!;
      const holder = `matrix-page-${role}`;
      const claim = await callRoute('app/api/queue/claim/route.ts', 'POST', { cookie, body: { filter, holder, count: 3 } });
      for (const item of claim.json.items as { id: number }[]) {
        await callRoute('app/api/verdicts/route.ts', 'POST', { cookie, body: { filter, holder, itemId: item.id, decision: 'accept' } });
      }
      await callRoute('app/api/items/[id]/comments/route.ts', 'POST', { cookie, params: { id: '1' }, body: { body: `note by ${role}` } });
    }
    const comments = async (role: Role) =>
      (
        (await callRoute('app/api/items/[id]/comments/route.ts', 'GET', { cookie: cookies.get(role), params: { id: '1' } })).json
          .comments as { body: string }[]
      )
        .map((c) => c.body)
        .sort();
    // "Leads see every comment; other users see their own."
    expect(await comments('lead')).toEqual(['note by annotator', 'note by lead']);
    expect(await comments('annotator')).toEqual(['note by annotator']);
    expect(await comments('auditor')).toEqual([]);
    expect(await comments('admin')).toEqual([]);

    const team = async (role: Role) =>
      (await callRoute('app/api/team/route.ts', 'GET', { cookie: cookies.get(role), url: `/api/team?datasetId=${datasetId}` })).json as {
        scope: string;
        annotators: { reviewer: string }[];
        agreement: { pairs: unknown[] };
      };
    // "Leads get everyone's figures; other users get only their own."
    const lead = await team('lead');
    expect([lead.scope, lead.annotators.map((a) => a.reviewer)]).toEqual(['team', ['only-annotator', 'only-lead']]);
    expect(lead.agreement.pairs.length).toBe(1);
    const annotator = await team('annotator');
    expect([annotator.scope, annotator.annotators.map((a) => a.reviewer), annotator.agreement.pairs]).toEqual([
      'self',
      ['only-annotator'],
      [],
    ]);
    const auditor = await team('auditor');
    expect([auditor.scope, auditor.annotators, auditor.agreement.pairs]).toEqual(['self', [], []]);
  });

  it('lists every page with the permission its requirePage call checks', () => {
    const table = readPageTable();
    const found = pages();
    expect([...table.keys()].sort()).toEqual(found.map((p) => p.path).sort());
    const wrong: string[] = [];
    for (const page of found) {
      const checks = pagePermissions(page.file);
      const documented = table.get(page.path);
      const actual = checks.length === 0 ? 'public' : checks.join(', ');
      if (actual !== documented) wrong.push(`${page.path} (${page.file}): requirePage(${actual}), the docs say ${documented}`);
    }
    expect(wrong).toEqual([]);
  });
});
