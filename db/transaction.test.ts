import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTemp, tempDb } from '@/lib/test/factories';
import { readTransaction, writeTransaction } from './transaction';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const SCANNED = ['lib', 'db', 'cli', 'app', 'components', 'instrumentation.ts'];

function sourceFiles(entry: string): string[] {
  const full = path.join(REPO, entry);
  if (!fs.existsSync(full)) return [];
  if (fs.statSync(full).isFile()) return [full];
  return fs
    .readdirSync(full, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.split(path.sep).includes('node_modules'))
    .map((name) => path.join(full, name));
}

/**
 * Every transaction in one file that is not IMMEDIATE, as "file:line: text". Allowed:
 * `x.transaction(fn).immediate(...)`; a transaction kept in a name (`const t = x.transaction(fn)`,
 * `this.t = ...`) whose every use is `t.immediate(...)`; drizzle's `db.transaction(fn, { behavior:
 * 'immediate' })`; a `BEGIN IMMEDIATE` in SQL text; and the helpers in db/transaction.ts.
 */
export function nonImmediateTransactions(file: string, text = fs.readFileSync(file, 'utf8')): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const where = (node: ts.Node) => `${path.relative(REPO, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  // Every use of a kept transaction (an identifier, or `this.name`), other than where it is assigned.
  const usesOnlyImmediate = (target: ts.Node) => {
    const name = target.getText();
    const uses: ts.Node[] = [];
    const collect = (node: ts.Node) => {
      const isUse = ts.isPropertyAccessExpression(target)
        ? ts.isPropertyAccessExpression(node) && node.getText() === name
        : ts.isIdentifier(node) && node.text === name && !ts.isPropertyAccessExpression(node.parent);
      if (isUse && node !== target) uses.push(node);
      else ts.forEachChild(node, collect);
    };
    collect(source);
    return uses.every((use) => {
      const parent = use.parent;
      if (ts.isBinaryExpression(parent) && parent.left === use) return true; // the assignment itself
      return ts.isPropertyAccessExpression(parent) && parent.expression === use && parent.name.text === 'immediate';
    });
  };
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'transaction') {
      const parent = node.parent;
      const options = node.arguments[1];
      const immediate =
        (ts.isPropertyAccessExpression(parent) && parent.name.text === 'immediate') ||
        (options !== undefined && /behavior\s*:\s*['"]immediate['"]/.test(options.getText())) ||
        (ts.isVariableDeclaration(parent) && usesOnlyImmediate(parent.name)) ||
        (ts.isBinaryExpression(parent) && parent.right === node && usesOnlyImmediate(parent.left));
      if (!immediate) found.push(`${where(node)}: ${node.getText().split('\n')[0]}`);
    }
    if (ts.isStringLiteralLike(node) && /\bBEGIN\b(?!\s+IMMEDIATE)/i.test(node.text) && /^\s*BEGIN\b/i.test(node.text)) {
      found.push(`${where(node)}: ${node.text.split('\n')[0]}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('transactions', () => {
  it('every transaction in the source is IMMEDIATE or a read-only snapshot (db/transaction.ts)', () => {
    const helper = path.join(REPO, 'db', 'transaction.ts');
    const files = SCANNED.flatMap(sourceFiles).filter((file) => file !== helper);
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap((file) => nonImmediateTransactions(file))).toEqual([]);
  });

  it('the scan finds the forms a deferred transaction takes', () => {
    const file = path.join(REPO, 'lib', 'example.ts');
    const bad = `
      const a = db.$client.transaction(() => 1)();
      const keep = sqlite.transaction((rows) => rows);
      keep(rows);
      this.write = sqlite.transaction(() => 1);
      this.write(batch);
      db.transaction((tx) => tx.select());
      db.transaction((tx) => 1, { behavior: 'deferred' });
      sqlite.exec('BEGIN');
    `;
    expect(nonImmediateTransactions(file, bad)).toHaveLength(6);
    const good = `
      db.$client.transaction(() => 1).immediate();
      const keep = sqlite.transaction((rows) => rows);
      keep.immediate(rows);
      this.write = sqlite.transaction(() => 1);
      this.write.immediate(batch);
      db.transaction((tx) => 1, { behavior: 'immediate' });
      sqlite.exec('BEGIN IMMEDIATE');
    `;
    expect(nonImmediateTransactions(file, good)).toEqual([]);
  });
});

describe('writeTransaction and readTransaction', () => {
  afterEach(cleanupTemp);

  it('a write transaction holds the write lock from its start: a second connection cannot write meanwhile', () => {
    const { db, dir } = tempDb();
    const other = new (db.$client.constructor as typeof import('better-sqlite3'))(path.join(dir, 'loupe.db'));
    other.pragma('busy_timeout = 0');
    try {
      writeTransaction(db, () => {
        db.$client.prepare('SELECT count(*) FROM items').get(); // a read first, as an import batch does
        expect(() => other.prepare(`INSERT INTO datasets (name) VALUES ('b')`).run()).toThrow(/SQLITE_BUSY|locked/);
      });
      other.prepare(`INSERT INTO datasets (name) VALUES ('b')`).run();
    } finally {
      other.close();
    }
  });

  it('a read snapshot refuses writes and leaves the connection writable after', () => {
    const { db } = tempDb();
    expect(() => readTransaction(db, () => db.$client.prepare(`INSERT INTO datasets (name) VALUES ('a')`).run())).toThrow(
      /readonly|read-only/i,
    );
    expect(readTransaction(db, () => db.$client.prepare('SELECT count(*) AS n FROM datasets').get())).toEqual({ n: 0 });
    writeTransaction(db, () => db.$client.prepare(`INSERT INTO datasets (name) VALUES ('a')`).run());
    expect(db.$client.prepare('SELECT count(*) AS n FROM datasets').get()).toEqual({ n: 1 });
  });
});
