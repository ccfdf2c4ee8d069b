/**
 * docs/api.md's shared enums come from the code: the "Shared enums" table is generated (run with
 * UPDATE_DOCS=1 to rewrite it), and every inline union in the docs ("a"|"b") names only values
 * the code has, so a renamed or removed value cannot linger in the docs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENUMS_END, ENUMS_START, enumsTable, literalUnions, sharedEnums } from './enums';

const docsFile = path.resolve(import.meta.dirname, '../../docs/api.md');

describe('docs/api.md shared enums', () => {
  it('has the table generated from the code', () => {
    const read = () => {
      const doc = fs.readFileSync(docsFile, 'utf8');
      const start = doc.indexOf(ENUMS_START);
      expect(start, 'docs/api.md has no shared-enums markers').toBeGreaterThan(0);
      const end = doc.indexOf(ENUMS_END, start) + ENUMS_END.length;
      return { doc, start, end };
    };
    if (process.env.UPDATE_DOCS) {
      const { doc, start, end } = read();
      fs.writeFileSync(docsFile, doc.slice(0, start) + enumsTable() + doc.slice(end));
    }
    const { doc, start, end } = read();
    expect(doc.slice(start, end)).toBe(enumsTable());
  });

  it('names only values the code has in its inline unions', () => {
    const doc = fs.readFileSync(docsFile, 'utf8');
    const known = new Set(sharedEnums().flatMap((e) => e.values));
    const unions = [...doc.matchAll(/"[\w-]+"(?:\|"[\w-]+")+/g)].map((m) => m[0]);
    expect(unions.length).toBeGreaterThan(5);
    const unknown = unions.flatMap((union) =>
      union
        .split('|')
        .map((v) => v.slice(1, -1))
        .filter((v) => !known.has(v))
        .map((v) => `${v} in ${union}`),
    );
    expect(unknown).toEqual([]);
  });

  it('reads the union types of db/schema.ts', () => {
    const unions = literalUnions('db/schema.ts');
    expect(unions.get('Decision')).toEqual(['accept', 'reject', 'skip', 'undo']);
    expect(sharedEnums().find((e) => e.name === 'RejectReason')!.values).toContain('padding_aspect');
  });
});
