/**
 * The API's three boundaries, read from the source: the browser calls the API only through
 * lib/api/client.ts (one error type, one 401 redirect); route handlers take their zod schemas
 * from the contracts in lib/api/ rather than writing them inline; and the contracts are
 * client-safe (no database, file system or server-only module reached through a value import),
 * so client components can import them.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

function files(dir: string, pattern: RegExp): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return files(rel, pattern);
    return pattern.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [rel] : [];
  });
}

const parse = (file: string) =>
  ts.createSourceFile(
    file,
    fs.readFileSync(path.join(ROOT, file), 'utf8'),
    ts.ScriptTarget.Latest,
    true,
    file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );

/** Calls of `fetch(…)`, `window.fetch(…)`, `globalThis.fetch(…)` and `navigator.sendBeacon(…)`, as `file:line`. */
function directCalls(file: string): string[] {
  const source = parse(file);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      if (name === 'fetch' || name === 'sendBeacon') {
        found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${callee.getText()}(`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The modules a file imports for values (type-only imports and specifiers are left out). */
function valueImports(file: string): string[] {
  const found: string[] = [];
  for (const statement of parse(file).statements) {
    if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
    if (!statement.moduleSpecifier || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.isTypeOnly) continue;
      const named = clause?.namedBindings;
      const onlyTypes = clause && !clause.name && named && ts.isNamedImports(named) && named.elements.every((e) => e.isTypeOnly);
      if (onlyTypes) continue;
    } else if (statement.isTypeOnly) continue;
    found.push(statement.moduleSpecifier.text);
  }
  return found;
}

function resolve(from: string, specifier: string): string | undefined {
  let base: string;
  if (specifier.startsWith('@/')) base = specifier.slice(2);
  else if (specifier.startsWith('.')) base = path.join(path.dirname(from), specifier);
  else return undefined;
  return [`${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), base].find(
    (c) => fs.existsSync(path.join(ROOT, c)) && fs.statSync(path.join(ROOT, c)).isFile(),
  );
}

const SERVER_ONLY = /^(node:|fs$|path$|server-only$|better-sqlite3$|sharp$|openai($|\/)|drizzle-orm|@\/db($|\/))/;

/** Each server-side module reached from `file` through value imports, as the chain that reaches it. */
function serverReach(file: string): string[] {
  const seen = new Set<string>();
  const found: string[] = [];
  const walk = (current: string, chain: string[]) => {
    if (seen.has(current)) return;
    seen.add(current);
    for (const specifier of valueImports(current)) {
      if (SERVER_ONLY.test(specifier)) found.push([...chain, current, specifier].join(' → '));
      const next = resolve(current, specifier);
      if (next) walk(next, [...chain, current]);
    }
  };
  walk(file, []);
  return found;
}

describe("the browser's side of the API", () => {
  it('app/ and components/ never call fetch or sendBeacon themselves: lib/api/client.ts does', () => {
    const calls = [...files('app', /\.tsx?$/), ...files('components', /\.tsx?$/)].flatMap(directCalls);
    expect(calls, 'use get/post/request/beacon from @/lib/api/client').toEqual([]);
  });

  it('the fetcher is the only place in lib/api that does', () => {
    const calls = files('lib/api', /\.ts$/).flatMap(directCalls);
    expect(calls.map((c) => c.split(':')[0])).toEqual(['lib/api/client.ts', 'lib/api/client.ts']);
  });

  it('the check finds a direct call (it is not blind)', () => {
    const probe = path.join('lib', 'api', `.probe-${process.pid}.tsx`);
    fs.writeFileSync(path.join(ROOT, probe), "export const x = async () => (await window.fetch('/api/leases')).json();\n");
    try {
      expect(directCalls(probe)).toEqual([`${probe}:1: window.fetch(`]);
    } finally {
      fs.rmSync(path.join(ROOT, probe));
    }
  });
});

/**
 * Contracts that name server code for values (jobs.ts: the job kinds come from the registry,
 * which holds the runners). The browser may import only their types (checked below).
 */
const SERVER_CONTRACTS = new Set(['lib/api/jobs.ts']);

describe('the contracts (lib/api)', () => {
  it('reach no database, file system or server-only module through a value import', () => {
    const reached = files('lib/api', /\.ts$/)
      .filter((file) => !SERVER_CONTRACTS.has(file))
      .flatMap(serverReach);
    expect(reached).toEqual([]);
  });

  it('those that do are imported by app/ and components/ for types only (route handlers aside)', () => {
    const pages = [...files('app', /\.tsx?$/), ...files('components', /\.tsx?$/)].filter(
      (file) => !file.startsWith(path.join('app', 'api')),
    );
    const valueUses = pages.filter((file) => valueImports(file).some((specifier) => SERVER_CONTRACTS.has(`${resolve(file, specifier)}`)));
    expect(valueUses).toEqual([]);
  });

  it('the check sees a server module reached through another file', () => {
    expect(serverReach('lib/export/output.ts').some((chain) => chain.endsWith('node:fs'))).toBe(true);
    expect(serverReach('app/api/leases/route.ts').some((chain) => /@\/db$/.test(chain))).toBe(true);
  });
});

/** Whether the file starts with the 'use client' directive (it and what it imports go to the browser). */
function isClient(file: string): boolean {
  const first = parse(file).statements[0];
  return !!first && ts.isExpressionStatement(first) && ts.isStringLiteral(first.expression) && first.expression.text === 'use client';
}

describe("the browser's modules", () => {
  const clientFiles = () => [...files('app', /\.tsx?$/), ...files('components', /\.tsx?$/), ...files('lib', /\.tsx?$/)].filter(isClient);

  it("no 'use client' file reaches a database, file system or server-only module through a value import", () => {
    expect(clientFiles().length).toBeGreaterThan(10);
    expect(clientFiles().flatMap(serverReach)).toEqual([]);
  });

  it('the check sees a client file that reaches one', () => {
    const probe = path.join('lib', 'api', `.probe-client-${process.pid}.tsx`);
    fs.writeFileSync(path.join(ROOT, probe), "'use client';\nimport { KIND_META } from '@/lib/jobs/kinds';\nexport const x = KIND_META;\n");
    try {
      expect(isClient(probe)).toBe(true);
      expect(serverReach(probe).some((chain) => /→ (sharp|openai)$/.test(chain))).toBe(true);
    } finally {
      fs.rmSync(path.join(ROOT, probe));
    }
  });
});

describe('route handlers', () => {
  const inline = () => files('app/api', /^route\.ts$/).filter((file) => valueImports(file).includes('zod'));

  it('parse with schemas from lib/api, not zod written inline', () => {
    expect(inline(), 'move the schema to lib/api/<concept>.ts and import it').toEqual([]);
  });
});
