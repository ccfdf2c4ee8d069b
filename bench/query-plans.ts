import type Database from 'better-sqlite3';

/** A statement the library ran, the operations that ran it, and its plan. */
export interface RecordedStatement {
  operations: string[];
  sql: string;
  params: unknown[];
  /** EXPLAIN QUERY PLAN, indented by depth. */
  plan: string[];
  /** The plan's raw lines. */
  details: string[];
}

/**
 * Records every statement the library prepares and runs on `client`, by operation, so a
 * benchmark can show the query plan of each (the library builds its SQL itself).
 */
export function recordStatements(client: Database.Database, keep = /^\s*(SELECT|UPDATE|INSERT|DELETE|WITH)/i) {
  const prepare = client.prepare.bind(client);
  let calls: { sql: string; params: unknown[] }[] = [];
  client.prepare = ((source: string) => {
    const stmt = prepare(source);
    for (const method of ['all', 'get', 'run', 'iterate'] as const) {
      const original = (stmt[method] as (...params: unknown[]) => unknown).bind(stmt);
      (stmt as unknown as Record<string, unknown>)[method] = (...params: unknown[]) => {
        calls.push({ sql: source, params });
        return original(...params);
      };
    }
    return stmt;
  }) as typeof client.prepare;

  const captured = new Map<string, { operations: string[]; params: unknown[] }>();
  return {
    /** Runs `run`, filing the statements it ran under `operation`. */
    capture(operation: string, run: () => unknown) {
      calls = [];
      run();
      for (const { sql, params } of calls) {
        if (!keep.test(sql)) continue;
        const entry = captured.get(sql) ?? { operations: [], params };
        if (!entry.operations.includes(operation)) entry.operations.push(operation);
        captured.set(sql, entry);
      }
    },
    /** The recorded statements with their plans (prepared on the original, unrecorded prepare). */
    statements(): RecordedStatement[] {
      return [...captured].map(([sql, { operations, params }]) => {
        const rows = prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { id: number; parent: number; detail: string }[];
        const depth = new Map<number, number>([[0, 0]]);
        const plan = rows.map((r) => {
          const d = (depth.get(r.parent) ?? 0) + 1;
          depth.set(r.id, d);
          return `${'  '.repeat(d - 1)}${r.detail}`;
        });
        return { operations, sql, params, plan, details: rows.map((r) => r.detail) };
      });
    },
    /** The original prepare, for timing statements without recording them. */
    prepare,
  };
}
