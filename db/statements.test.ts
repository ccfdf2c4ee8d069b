/**
 * The hand-written types of prepared statements, checked against a freshly migrated database. Every
 * `statement<Params, Row>(db, sql)` (./statements.ts) and `db.$client.prepare<Params, Row>(sql)` in the source is
 * found with the TypeScript compiler; its SQL is read from the source, with constants, small SQL-building functions,
 * conditionals and string-literal-typed parameters resolved (each variant is checked). Each variant must prepare,
 * take exactly the parameters Params names, and return the columns Row names, with declared column types that
 * Row's property types accept. So a schema change that a hand-written type no longer matches (a renamed or
 * dropped column, a changed type) fails here, naming file:line, instead of at run time. Not checked: nullability
 * (a column that becomes nullable while Row still says `string` passes; `| null` is always allowed) and the types
 * of computed columns (SQLite declares none).
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemp, tempDb } from '@/lib/test/factories';

const ROOT = path.resolve(__dirname, '..');
const STATEMENTS = path.join(ROOT, 'db/statements.ts');
const SCANNED = ['app', 'bench', 'cli', 'components', 'db', 'lib'];

/**
 * Statements whose SQL is built from values known only at run time (a filter's WHERE clause, a column list
 * chosen by options). Keyed by `file function`; the reason says why the text cannot be read from the source.
 * A key that no longer matches an unresolved statement fails the test, so the list never goes stale.
 */
const DYNAMIC: Record<string, string> = {
  'lib/audit/campaigns.ts strataOf': "the campaign's population filter (filterSql) picks the WHERE clause and the table",
  'lib/audit/campaigns.ts draw': 'the population filter builds the scan and per-stratum queries (populationScanQuery, stratumIdsQuery)',
  'lib/export/selection.ts listTaskGroups': "the export's selection adds one term per filter field",
  'lib/export/selection.ts taskPages': "the export's extra filter terms are appended to the page query",
  'lib/test/queries.ts count': 'a test helper that counts the rows of any table it is given',
  'lib/jobs/jobs.ts claimJob': "each priority class's job kinds come from the kind registry (kindIn)",
  'lib/jobs/list.ts listJobs': "the page's ids come from pageIds",
  'lib/batches/batch.ts estimateBatch': "the batch's filter (filterSql) and the grouping column",
  'lib/batches/batch.ts startBatch': "the batch's filter (filterSql)",
  'lib/browse/list.ts countMatching': "the browser's filter (filterSql), over item_counts or items",
  'lib/review/items.ts listItems': "listItemsQuery builds the dataset page's query from its filter, sort and cursor",
  'lib/review/queue.ts claimItems': "the review queue's filter (filterSql) and its order (by folder or by a signal)",
  'lib/review/queue.ts queueProgress': "the review queue's filter (filterSql)",
  'lib/review/queue.ts pendingWithoutSignal': "the review queue's filter (filterSql) and the signal's expression (signalSql)",
  'lib/search/page.ts searchPageIds': "the page's other filter terms (filterSql)",
  'lib/search/page.ts searchCount': "the count's other filter terms (filterSql), or its dataset, family and task",
  'lib/signals/queue.ts queueSignals': 'the filter (filterSql) and which candidates count as computed',
};

afterAll(cleanupTemp);

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** The repository file a specifier names ('@/…' or relative); packages stay unresolved, which keeps the program small. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  let base: string;
  if (specifier.startsWith('@/')) base = path.join(ROOT, specifier.slice(2));
  else if (specifier.startsWith('.')) base = path.resolve(path.dirname(from), specifier);
  else return undefined;
  const candidates = [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')];
  return candidates.find((c) => /\.tsx?$/.test(c) && fs.existsSync(c) && fs.statSync(c).isFile());
}

/** A program of the repository's own files (and `virtual` ones, by absolute path). */
function repoProgram(roots: string[], virtual: Record<string, string> = {}): ts.Program {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    jsx: ts.JsxEmit.ReactJSX,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    // ES5's lib is enough for row types and is a third of the parse and check time.
    lib: ['lib.es5.d.ts'],
    types: [],
  };
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (file, language, ...rest) =>
    file in virtual ? ts.createSourceFile(file, virtual[file], language, true) : getSourceFile(file, language, ...rest);
  host.fileExists = (file) => file in virtual || fileExists(file);
  host.readFile = (file) => virtual[file] ?? readFile(file);
  host.resolveModuleNameLiterals = (literals, containingFile) =>
    literals.map((literal) => {
      const file = resolveSpecifier(containingFile, literal.text);
      const extension = file?.endsWith('.tsx') ? ts.Extension.Tsx : ts.Extension.Ts;
      return { resolvedModule: file ? { resolvedFileName: file, extension, isExternalLibraryImport: false } : undefined };
    });
  return ts.createProgram(roots, options, host);
}

interface Site {
  where: string;
  /** `file function`, the key of DYNAMIC. */
  key: string;
  sql: ts.Expression;
  params?: ts.TypeNode;
  row?: ts.TypeNode;
  /** How rows are read: as objects, `.pluck()`ed first values or `.raw()` arrays. */
  mode: 'object' | 'pluck' | 'raw';
}

/** The name of the function around `node` (a method, or the variable an arrow function is assigned to). */
function enclosingName(node: ts.Node): string {
  for (let at = node.parent; at; at = at.parent) {
    if ((ts.isFunctionDeclaration(at) || ts.isMethodDeclaration(at)) && at.name) return at.name.getText();
    if (
      (ts.isArrowFunction(at) || ts.isFunctionExpression(at)) &&
      (ts.isVariableDeclaration(at.parent) || ts.isPropertyAssignment(at.parent))
    )
      return at.parent.name.getText();
  }
  return '(module)';
}

/** `.pluck()` or `.raw()` applied to the statement, directly or through the variable holding it. */
function readMode(call: ts.CallExpression): Site['mode'] {
  const chained = ts.isPropertyAccessExpression(call.parent) ? call.parent.name.text : undefined;
  if (chained === 'pluck' || chained === 'raw') return chained;
  if (ts.isVariableDeclaration(call.parent) && ts.isIdentifier(call.parent.name)) {
    const name = call.parent.name.text;
    const scope = call.parent.parent.parent.parent;
    if (new RegExp(`\\b${name}\\s*\\.\\s*pluck\\(`).test(scope.getText())) return 'pluck';
    if (new RegExp(`\\b${name}\\s*\\.\\s*raw\\(`).test(scope.getText())) return 'raw';
  }
  return 'object';
}

function findSites(program: ts.Program, checker: ts.TypeChecker, files: string[]): Site[] {
  const sites: Site[] = [];
  const isStatementFn = (callee: ts.Expression) => {
    if (!ts.isIdentifier(callee) || callee.text !== 'statement') return false;
    let symbol = checker.getSymbolAtLocation(callee);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    return symbol?.declarations?.some((d) => d.getSourceFile().fileName === STATEMENTS) ?? false;
  };
  // `<x>.$client.prepare<P, R>(sql)`: the Loupe connection's own prepare, typed by hand.
  const isPrepareOfClient = (call: ts.CallExpression) =>
    ts.isPropertyAccessExpression(call.expression) &&
    call.expression.name.text === 'prepare' &&
    ts.isPropertyAccessExpression(call.expression.expression) &&
    call.expression.expression.name.text === '$client' &&
    call.arguments.length > 0;
  const isClientPrepare = (call: ts.CallExpression) => isPrepareOfClient(call) && call.typeArguments !== undefined;
  const isUntypedClientPrepare = (call: ts.CallExpression) => isPrepareOfClient(call) && call.typeArguments === undefined;
  // `<x>.$client.prepare(sql)[.pluck()|.raw()].get|all(…) as Row`: an untyped prepare whose rows are cast by hand.
  const castRow = (call: ts.CallExpression): { row: ts.TypeNode; mode: Site['mode'] } | undefined => {
    let at: ts.Node = call;
    let mode: Site['mode'] = 'object';
    const method = () =>
      ts.isPropertyAccessExpression(at.parent) && ts.isCallExpression(at.parent.parent) ? at.parent.name.text : undefined;
    if (method() === 'pluck' || method() === 'raw') {
      mode = method() as Site['mode'];
      at = at.parent.parent;
    }
    const read = method();
    if (read !== 'get' && read !== 'all') return undefined;
    at = at.parent.parent;
    while (ts.isParenthesizedExpression(at.parent)) at = at.parent;
    if (!ts.isAsExpression(at.parent)) return undefined;
    const type = at.parent.type;
    if (read === 'get') return { row: type, mode };
    return ts.isArrayTypeNode(type) ? { row: type.elementType, mode } : undefined;
  };
  for (const file of files) {
    const source = program.getSourceFile(file)!;
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node) && isUntypedClientPrepare(node)) {
        const cast = castRow(node);
        const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        const rel = path.relative(ROOT, file);
        if (cast) sites.push({ where: `${rel}:${line}`, key: `${rel} ${enclosingName(node)}`, sql: node.arguments[0], ...cast });
      }
      if (ts.isCallExpression(node)) {
        const viaStatement = isStatementFn(node.expression);
        if ((viaStatement || isClientPrepare(node)) && node.arguments.length > 0) {
          const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
          const rel = path.relative(ROOT, file);
          sites.push({
            where: `${rel}:${line}`,
            key: `${rel} ${enclosingName(node)}`,
            sql: node.arguments[viaStatement ? 1 : 0],
            params: node.typeArguments?.[0],
            row: node.typeArguments?.[1],
            mode: readMode(node),
          });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return sites;
}

const PRIMITIVE =
  ts.TypeFlags.StringLike |
  ts.TypeFlags.NumberLike |
  ts.TypeFlags.BigIntLike |
  ts.TypeFlags.BooleanLike |
  ts.TypeFlags.EnumLike |
  ts.TypeFlags.ESSymbolLike |
  ts.TypeFlags.Null |
  ts.TypeFlags.Undefined |
  ts.TypeFlags.Void;

/** Values bound to a called function's parameters while its body is evaluated. */
type Env = Map<ts.Symbol, { expr: ts.Expression; env: Env }>;
const MAX_VARIANTS = 64;

/**
 * Every text `expr` can take, read from the source: literals, templates, `+`, const declarations (imported too),
 * object-literal members, `[…].join()`, calls of functions that only return an expression, both arms of a
 * conditional, and identifiers typed as a union of literals. `undefined` when some part is known only at run time.
 */
function evaluator(checker: ts.TypeChecker) {
  const symbolOf = (node: ts.Node) => {
    let symbol = checker.getSymbolAtLocation(node);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    return symbol;
  };
  const product = (parts: (string[] | undefined)[]): string[] | undefined => {
    let out = [''];
    for (const part of parts) {
      if (!part) return undefined;
      out = out.flatMap((prefix) => part.map((p) => prefix + p));
      if (out.length > MAX_VARIANTS) return undefined;
    }
    return out;
  };
  const unwrap = (expr: ts.Expression): ts.Expression =>
    ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr) || ts.isNonNullExpression(expr)
      ? unwrap(expr.expression)
      : expr;
  /** The initializer of a const, or the argument bound to a parameter. */
  const valueOf = (node: ts.Node, env: Env): { expr: ts.Expression; env: Env } | undefined => {
    const symbol = symbolOf(node);
    if (!symbol) return undefined;
    const bound = env.get(symbol);
    if (bound) return bound;
    const decl = symbol.valueDeclaration;
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const)
      return { expr: decl.initializer, env: new Map() };
    return undefined;
  };
  const objectLiteral = (expr: ts.Expression, env: Env): { obj: ts.ObjectLiteralExpression; env: Env } | undefined => {
    const inner = unwrap(expr);
    if (ts.isObjectLiteralExpression(inner)) return { obj: inner, env };
    if (ts.isIdentifier(inner)) {
      const value = valueOf(inner, env);
      return value && objectLiteral(value.expr, value.env);
    }
    return undefined;
  };
  const members = (obj: ts.ObjectLiteralExpression, env: Env, names?: string[]): string[] | undefined => {
    const found = obj.properties.filter(
      (p): p is ts.PropertyAssignment =>
        ts.isPropertyAssignment(p) && (!names || names.includes(p.name.getText().replace(/^['"]|['"]$/g, ''))),
    );
    if (found.length === 0 || (found.length < obj.properties.length && !names)) return undefined;
    const values = found.map((p) => evaluate(p.initializer, env));
    return values.every(Boolean) ? [...new Set(values.flatMap((v) => v!))] : undefined;
  };
  const literalsOfType = (node: ts.Node): string[] | undefined => {
    const type = checker.getTypeAtLocation(node);
    const parts = type.isUnion() ? type.types : [type];
    const values = parts.map((t) => (t.isStringLiteral() || t.isNumberLiteral() ? String(t.value) : undefined));
    return values.every((v) => v !== undefined) ? (values as string[]) : undefined;
  };
  /** A parameter of a function used in its file only: every text its callers pass. */
  const visiting = new Set<ts.Node>();
  const argumentsOf = (param: ts.ParameterDeclaration): string[] | undefined => {
    const fn = param.parent;
    const holder = ts.isFunctionDeclaration(fn) ? fn : ts.isVariableDeclaration(fn.parent) ? fn.parent : undefined;
    if (!holder?.name || !ts.isIdentifier(holder.name) || ts.getCombinedModifierFlags(holder) & ts.ModifierFlags.Export) return undefined;
    if (visiting.has(fn)) return undefined;
    const target = checker.getSymbolAtLocation(holder.name);
    const index = fn.parameters.indexOf(param);
    const values: string[] = [];
    let complete = true;
    visiting.add(fn);
    const visit = (node: ts.Node) => {
      if (ts.isIdentifier(node) && node !== holder.name && checker.getSymbolAtLocation(node) === target) {
        const call = node.parent;
        const arg = ts.isCallExpression(call) && call.expression === node ? (call.arguments[index] ?? param.initializer) : undefined;
        const texts = arg && evaluate(arg, new Map());
        if (texts) values.push(...texts);
        else complete = false;
      }
      ts.forEachChild(node, visit);
    };
    visit(fn.getSourceFile());
    visiting.delete(fn);
    return complete && values.length > 0 ? [...new Set(values)] : undefined;
  };
  const callResult = (call: ts.CallExpression, env: Env): string[] | undefined => {
    const callee = unwrap(call.expression);
    // [a, b].join(' AND ')
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'join' && ts.isArrayLiteralExpression(unwrap(callee.expression))) {
      const elements = (unwrap(callee.expression) as ts.ArrayLiteralExpression).elements.map((e) => evaluate(e, env));
      const separators = call.arguments.length ? evaluate(call.arguments[0], env) : [','];
      if (!separators || separators.length !== 1 || elements.some((e) => !e)) return undefined;
      const joined = product(elements.flatMap((e, i) => (i === 0 ? [e] : [[separators[0]], e])));
      return elements.length === 0 ? [''] : joined;
    }
    if (!ts.isIdentifier(callee)) return undefined;
    let decl = symbolOf(callee)?.valueDeclaration;
    // const who = actorNameSql;
    while (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.isIdentifier(unwrap(decl.initializer)))
      decl = symbolOf(unwrap(decl.initializer))?.valueDeclaration;
    const fn =
      decl && ts.isFunctionDeclaration(decl)
        ? decl
        : decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.isArrowFunction(unwrap(decl.initializer))
          ? (unwrap(decl.initializer) as ts.ArrowFunction)
          : undefined;
    if (!fn?.body) return undefined;
    const body = ts.isBlock(fn.body)
      ? fn.body.statements.length === 1 && ts.isReturnStatement(fn.body.statements[0])
        ? fn.body.statements[0].expression
        : undefined
      : fn.body;
    if (!body) return undefined;
    const inner: Env = new Map();
    fn.parameters.forEach((param, i) => {
      const symbol = checker.getSymbolAtLocation(param.name);
      const arg = call.arguments[i] ?? param.initializer;
      if (symbol && arg) inner.set(symbol, { expr: arg, env });
    });
    return evaluate(body, inner);
  };
  const evaluate = (expr: ts.Expression, env: Env): string[] | undefined => {
    expr = unwrap(expr);
    if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) return [expr.text];
    if (ts.isNumericLiteral(expr)) return [String(Number(expr.text))];
    if (ts.isTemplateExpression(expr))
      return product([[expr.head.text], ...expr.templateSpans.flatMap((span) => [evaluate(span.expression, env), [span.literal.text]])]);
    if (ts.isConditionalExpression(expr)) {
      const arms = [evaluate(expr.whenTrue, env), evaluate(expr.whenFalse, env)];
      return arms.every(Boolean) ? [...new Set(arms.flatMap((a) => a!))] : undefined;
    }
    if (ts.isBinaryExpression(expr) && expr.operatorToken.kind === ts.SyntaxKind.PlusToken)
      return product([evaluate(expr.left, env), evaluate(expr.right, env)]);
    if (ts.isIdentifier(expr)) {
      const value = valueOf(expr, env);
      if (value) return evaluate(value.expr, value.env) ?? (env.has(symbolOf(expr)!) ? undefined : literalsOfType(expr));
      const decl = symbolOf(expr)?.valueDeclaration;
      return literalsOfType(expr) ?? (decl && ts.isParameter(decl) ? argumentsOf(decl) : undefined);
    }
    if (ts.isPropertyAccessExpression(expr)) {
      const target = objectLiteral(expr.expression, env);
      return target ? members(target.obj, target.env, [expr.name.text]) : literalsOfType(expr);
    }
    if (ts.isElementAccessExpression(expr)) {
      const target = objectLiteral(expr.expression, env);
      if (!target) return literalsOfType(expr);
      return members(target.obj, target.env, evaluate(expr.argumentExpression, env));
    }
    if (ts.isCallExpression(expr)) return callResult(expr, env);
    return undefined;
  };
  return (expr: ts.Expression) => evaluate(expr, new Map());
}

/** Positional `?` count and `@name`/`:name`/`$name` parameters, outside strings, quoted names and comments. */
function sqlParameters(sql: string): { positional: number; named: Set<string> } {
  const bare = sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|--[^\n]*|\/\*[\s\S]*?\*\//g, ' ');
  const named = new Set([...bare.matchAll(/[@:$]([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]));
  return { positional: (bare.match(/\?/g) ?? []).length, named };
}

/** What a property's TS type allows besides null/undefined, judged against a column's declared type. */
function accepts(checker: ts.TypeChecker, type: ts.Type, declared: string): boolean {
  const parts = (type.isUnion() ? type.types : [type]).filter((t) => !(t.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)));
  const ok = (t: ts.Type): boolean => {
    if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
    const name = t.getSymbol()?.name ?? checker.typeToString(t);
    switch (declared) {
      case 'integer':
        return (t.flags & (ts.TypeFlags.NumberLike | ts.TypeFlags.BigIntLike)) !== 0;
      case 'real':
        return (t.flags & ts.TypeFlags.NumberLike) !== 0;
      case 'text':
        return (t.flags & ts.TypeFlags.StringLike) !== 0;
      case 'blob':
        return name === 'Buffer' || name === 'Uint8Array';
      default:
        return true;
    }
  };
  return parts.length > 0 && parts.every(ok);
}

/** The mismatches of one SQL variant against the statement's Params and Row types. */
function check(db: Database.Database, checker: ts.TypeChecker, site: Site, sql: string): string[] {
  let stmt: Database.Statement;
  try {
    stmt = db.prepare(sql);
  } catch (error) {
    return [`does not prepare: ${(error as Error).message}`];
  }
  const problems: string[] = [];
  const { positional, named } = sqlParameters(sql);
  const params = site.params && checker.getTypeFromTypeNode(site.params);
  if (params && checker.isTupleType(params)) {
    const target = (params as ts.TypeReference).target as ts.TupleType;
    const elements = checker.getTypeArguments(params as ts.TypeReference);
    const objects = elements.filter((t) => !(t.flags & PRIMITIVE) && t.getProperties().length + checker.getIndexInfosOfType(t).length > 0);
    const variadic = target.hasRestElement || target.minLength !== elements.length;
    if (!variadic) {
      if (elements.length - objects.length !== positional)
        problems.push(`takes ${positional} positional parameter(s), Params names ${elements.length - objects.length}`);
      const keys = objects.flatMap((t) => (checker.getIndexInfosOfType(t).length ? [...named] : t.getProperties().map((p) => p.name)));
      const missing = [...named].filter((n) => !keys.includes(n));
      const unused = keys.filter((k) => !named.has(k));
      if (missing.length || unused.length) problems.push(`named parameters: SQL has [${[...named]}], Params has [${keys}]`);
      if (problems.length === 0) {
        const values = elements.map((t) => (objects.includes(t) ? Object.fromEntries([...named].map((n) => [n, null])) : null));
        try {
          stmt.bind(...values);
        } catch (error) {
          problems.push(`binding Params fails: ${(error as Error).message}`);
        }
      }
    }
  }
  if (!stmt.reader || !site.row) return problems;
  const row = checker.getTypeFromTypeNode(site.row);
  if (row.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.TypeParameter)) return problems;
  const columns = stmt.columns();
  const typeMismatch = (label: string, type: ts.Type, column: Database.ColumnDefinition) =>
    column.type && !accepts(checker, type, column.type.toLowerCase())
      ? [`${label} is ${checker.typeToString(type)} but column ${column.table}.${column.column} is ${column.type}`]
      : [];
  if (site.mode === 'pluck') {
    if (columns.length !== 1)
      problems.push(`.pluck() reads one column but the SQL returns ${columns.length}: ${columns.map((c) => c.name)}`);
    else problems.push(...typeMismatch('Row', row, columns[0]));
  } else if (site.mode === 'raw') {
    if (!checker.isTupleType(row)) problems.push(`.raw() rows are arrays but Row is ${checker.typeToString(row)}`);
    else {
      const elements = checker.getTypeArguments(row as ts.TypeReference);
      if (elements.length !== columns.length)
        problems.push(`Row has ${elements.length} elements, the SQL returns ${columns.length} columns`);
      else columns.forEach((column, i) => problems.push(...typeMismatch(`Row[${i}]`, elements[i], column)));
    }
  } else {
    const names = columns.map((c) => c.name);
    const duplicated = names.filter((n, i) => names.indexOf(n) !== i);
    if (duplicated.length) problems.push(`columns named twice (the row keeps one): ${duplicated}`);
    const objectRow = checker.getNonNullableType(row);
    const props = (objectRow.isUnion() ? objectRow.types : [objectRow]).some((t) => t.flags & PRIMITIVE)
      ? []
      : checker.getPropertiesOfType(objectRow);
    if (props.length === 0) return [...problems, `rows are objects but Row is ${checker.typeToString(row)} (missing .pluck()?)`];
    const missing = props.map((p) => p.name).filter((n) => !names.includes(n));
    // `SELECT *` reads whatever the table has: Row may name only the columns its reader uses.
    const star = /\bSELECT\s+(\w+\.)?\*/i.test(sql);
    const untyped = star ? [] : names.filter((n) => !props.some((p) => p.name === n));
    if (missing.length) problems.push(`Row has ${missing} which the SQL does not return`);
    if (untyped.length) problems.push(`the SQL returns ${untyped} which Row does not name`);
    for (const prop of props) {
      const column = columns.find((c) => c.name === prop.name);
      if (column) problems.push(...typeMismatch(`Row.${prop.name}`, checker.getTypeOfSymbol(prop), column));
    }
  }
  return problems;
}

/** Every problem of every site, as `line: problem`, or `line: unresolved`. */
function problemsOf(program: ts.Program, files: string[], db: Database.Database): string[] {
  const checker = program.getTypeChecker();
  const sqlOf = evaluator(checker);
  return findSites(program, checker, files).flatMap((site) => {
    const line = site.where.split(':').at(-1);
    const variants = sqlOf(site.sql);
    if (!variants) return [`${line}: unresolved`];
    return variants.flatMap((sql) => check(db, checker, site, sql).map((problem) => `${line}: ${problem}`));
  });
}

/** Statements with one known mismatch each (the checker's own test), as a virtual file. */
const FIXTURE_FILE = path.join(ROOT, 'db/statements-fixture.ts');
const FIXTURE = [
  "import { statement } from '@/db/statements';",
  'declare const db: any;',
  "const TABLE = 'datasets';",
  'const column = (alias: string) => `${alias}.name`;',
  "type Kind = 'review' | 'gold';",
  "function byKind(kind: Kind) { return statement<[number], { n: number }>(db, `SELECT count(*) AS n FROM verdicts WHERE kind = '${kind}' AND item_id = ?`); }",
  "statement<[number], { id: number; name: string }>(db, `SELECT id, ${column('d')} FROM ${TABLE} d WHERE id = ?`);",
  "statement<[number], { id: number; name: string }>(db, 'SELECT id FROM datasets WHERE id = ?');",
  "statement<[number, number], { id: number }>(db, 'SELECT id FROM datasets WHERE id = ?');",
  "statement<[], { id: string; name: string | null }>(db, 'SELECT id, name FROM datasets');",
  "statement<[], boolean>(db, 'SELECT simulated FROM candidates').pluck();",
  "statement<[], number>(db, 'SELECT nope FROM datasets').pluck();",
  "statement<[{ a: number }], number>(db, 'SELECT id FROM datasets WHERE id = @b').pluck();",
  "statement<[], [number, string]>(db, 'SELECT id FROM datasets').raw();",
  "statement<[], number>(db, 'SELECT id FROM datasets');",
  'statement<[], number>(db, `SELECT id FROM ${String(TABLE)}`).pluck();',
  "statement<[], { id: number }>(db, 'SELECT d.id, i.id FROM datasets d JOIN items i');",
  "db.$client.prepare<[], { nope: number }>('SELECT id FROM datasets');",
  "(db.$client.prepare('SELECT name FROM datasets').pluck().all() as number[]);",
  'byKind;',
].join('\n');

const files = SCANNED.flatMap((dir) => sourceFiles(path.join(ROOT, dir))).filter((file) =>
  /\bstatement\b|\$client\s*\.\s*prepare\b/.test(fs.readFileSync(file, 'utf8')),
);
const program = repoProgram([...files, FIXTURE_FILE], { [FIXTURE_FILE]: FIXTURE });

describe('the statement checker', () => {
  it('finds each kind of mismatch, and passes statements that match', () => {
    const { db } = tempDb();
    expect(problemsOf(program, [FIXTURE_FILE], db.$client)).toEqual([
      '8: Row has name which the SQL does not return',
      '9: takes 1 positional parameter(s), Params names 2',
      '10: Row.id is string but column datasets.id is INTEGER',
      '11: Row is boolean but column candidates.simulated is INTEGER',
      '12: does not prepare: no such column: nope',
      '13: named parameters: SQL has [b], Params has [a]',
      '14: Row has 2 elements, the SQL returns 1 columns',
      '15: rows are objects but Row is number (missing .pluck()?)',
      '16: unresolved',
      '17: columns named twice (the row keeps one): id',
      '18: Row has nope which the SQL does not return',
      '18: the SQL returns id which Row does not name',
      '19: Row is number but column datasets.name is TEXT',
    ]);
  });
});

describe('hand-typed prepared statements', () => {
  const checker = program.getTypeChecker();
  const sites = findSites(program, checker, files);
  const sqlOf = evaluator(checker);

  it('are found in the source', () => {
    // A guard against the finder silently finding nothing (a renamed function, a moved file).
    expect(sites.length).toBeGreaterThan(150);
  });

  it('prepare on a migrated database and match their Params and Row types', () => {
    const { db } = tempDb();
    const failures: string[] = [];
    const unresolved: Site[] = [];
    for (const site of sites) {
      const variants = sqlOf(site.sql);
      if (!variants) {
        // Typed by nobody: there is nothing hand-written to check, only that it prepares.
        if (site.params || site.row) unresolved.push(site);
        continue;
      }
      for (const sql of variants) {
        for (const problem of check(db.$client, checker, site, sql))
          failures.push(`${site.where}: ${problem}${variants.length > 1 ? `\n    in: ${sql.replace(/\s+/g, ' ').slice(0, 160)}` : ''}`);
      }
    }
    const unlisted = unresolved.filter((site) => !(site.key in DYNAMIC));
    for (const site of unlisted)
      failures.push(
        `${site.where}: SQL is built at run time (${site.sql.getText().slice(0, 80)}); resolve it from constants or list "${site.key}" in DYNAMIC`,
      );
    const stale = Object.keys(DYNAMIC).filter((key) => !unresolved.some((site) => site.key === key));
    for (const key of stale) failures.push(`DYNAMIC lists "${key}", which has no statement built at run time any more`);
    expect(failures, `${failures.length} problem(s):\n${failures.join('\n')}`).toEqual([]);
  });
});
