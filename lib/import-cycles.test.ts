/**
 * Three rules on lib/'s module graph. No import cycle inside lib/: a module's dependencies must form a tree-like (acyclic) graph so
 * each module can be read, tested and loaded on its own. Type-only imports count too: a cycle of
 * types is still a knot in the design. No loop between lib/'s folders either (tests and lib/test
 * aside): each concept sits above or below another, never both. No file that only forwards names
 * from other modules: importers name the module that does the work.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
const LIB = path.join(ROOT, 'lib');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** The file a specifier names, when it is '@/…' or relative and lands on a file that exists. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  let base: string;
  if (specifier.startsWith('@/')) base = path.join(ROOT, specifier.slice(2));
  else if (specifier.startsWith('.')) base = path.resolve(path.dirname(from), specifier);
  else return undefined;
  const candidates = [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')];
  return candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
}

/** Every module `file` imports or re-exports (static import/export, dynamic import() and require are not followed). */
function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  for (const statement of source.statements) {
    const specifier =
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier
        ? statement.moduleSpecifier
        : undefined;
    if (specifier && ts.isStringLiteral(specifier)) {
      const target = resolveSpecifier(file, specifier.text);
      if (target) found.push(target);
    }
  }
  return found;
}

/** Each cycle once, as repo-relative files rotated to start at the smallest path. */
function findCycles(files: string[]): string[][] {
  const inLib = new Set(files);
  const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => inLib.has(t))]));
  const cycles = new Map<string, string[]>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next)).map((f) => path.relative(ROOT, f));
        const start = cycle.indexOf([...cycle].sort()[0]);
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        cycles.set(rotated.join(' → '), rotated);
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return [...cycles.values()];
}

/** The lib/ folder a file belongs to; the files directly in lib/ (errors.ts, random.ts) count as one more folder. */
function folderOf(file: string): string {
  const parts = path.relative(LIB, file).split(path.sep);
  return parts.length > 1 ? parts[0] : '(lib)';
}

/** Each loop in a small graph of folders once, as the folders in order. */
function findLoops(edges: Map<string, Set<string>>): string[][] {
  const loops = new Map<string, string[]>();
  const walk = (path: string[]) => {
    for (const next of edges.get(path[path.length - 1]) ?? []) {
      if (next === path[0]) {
        const key = [...path].sort().join(',');
        if (!loops.has(key)) loops.set(key, path);
      } else if (!path.includes(next) && next > path[0]) walk([...path, next]);
    }
  };
  for (const start of [...edges.keys()].sort()) walk([start]);
  return [...loops.values()];
}

describe('imports inside lib/', () => {
  it('form no cycle', () => {
    const fresh = findCycles(sourceFiles(LIB)).map((c) => c.join(' → '));
    expect(fresh, `import cycles (each file imports the next, the last imports the first):\n${fresh.join('\n')}`).toEqual([]);
  });

  it('form no loop between folders', () => {
    const files = sourceFiles(LIB).filter((file) => folderOf(file) !== 'test');
    const edges = new Map<string, Set<string>>();
    const why = new Map<string, string>();
    for (const file of files) {
      for (const target of importsOf(file)) {
        const [from, to] = [folderOf(file), folderOf(target)];
        if (from === to || !target.startsWith(LIB)) continue;
        edges.set(from, (edges.get(from) ?? new Set()).add(to));
        why.set(`${from} → ${to}`, `${path.relative(ROOT, file)} imports ${path.relative(ROOT, target)}`);
      }
    }
    const loops = findLoops(edges).map((loop) => loop.map((folder, i) => why.get(`${folder} → ${loop[(i + 1) % loop.length]}`)).join('; '));
    expect(loops, `folder loops (each step is one import that makes it):\n${loops.join('\n')}`).toEqual([]);
  });

  it('the loop finder sees a loop, once, and nothing in a tree', () => {
    const graph = (pairs: string[]) => {
      const edges = new Map<string, Set<string>>();
      for (const pair of pairs) {
        const [from, to] = pair.split('>');
        edges.set(from, (edges.get(from) ?? new Set()).add(to));
      }
      return edges;
    };
    expect(findLoops(graph(['a>b', 'b>c', 'a>c']))).toEqual([]);
    expect(findLoops(graph(['(lib)>review', 'review>(lib)']))).toEqual([['(lib)', 'review']]);
    expect(findLoops(graph(['jobs>signals', 'signals>review', 'review>jobs', 'jobs>runs']))).toEqual([['jobs', 'signals', 'review']]);
  });

  it('hold no file that only re-exports', () => {
    const forwarders = sourceFiles(LIB)
      .filter((file) => {
        const { statements } = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
        return statements.length > 0 && statements.every((s) => ts.isExportDeclaration(s) || ts.isImportDeclaration(s));
      })
      .map((file) => path.relative(ROOT, file));
    expect(forwarders, 'files that only forward names; import from the real module instead').toEqual([]);
  });
});
