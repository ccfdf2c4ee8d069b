/**
 * The shared enums of the JSON API, read from the code: runtime lists where the code has one,
 * and the string-literal union types of db/schema.ts (read with the TypeScript parser) where it
 * has only a type. docs/api.md's "Shared enums" table is generated from this (see enums.test.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { POPULATION_KINDS } from '@/lib/audit/constants';
import { PERMISSIONS, ROLES } from '@/lib/auth/roles';
import { EXPORT_FORMATS } from '@/lib/export/formats';
import { BATCH_KINDS, KIND_IDS } from '@/lib/jobs/kinds';
import { itemFilterSchema, SIGNAL_NAMES } from '@/lib/filter/filter';
import { REJECT_REASON_TAGS } from '@/lib/review/reasons';

const root = path.resolve(import.meta.dirname, '../..');

export interface SharedEnum {
  name: string;
  values: readonly string[];
  source: string;
}

/** `export type Name = 'a' | 'b'` aliases of a file, by name. */
export function literalUnions(file: string): Map<string, string[]> {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.Latest, false);
  const unions = new Map<string, string[]>();
  for (const statement of source.statements) {
    if (!ts.isTypeAliasDeclaration(statement) || !ts.isUnionTypeNode(statement.type)) continue;
    const values = statement.type.types.map((t) => (ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal) ? t.literal.text : undefined));
    if (values.every((v) => v !== undefined)) unions.set(statement.name.text, values as string[]);
  }
  return unions;
}

export function sharedEnums(): SharedEnum[] {
  const schema = literalUnions('db/schema.ts');
  const fromSchema = (name: string): SharedEnum => {
    const values = schema.get(name);
    if (!values) throw new Error(`db/schema.ts has no string union type ${name}`);
    return { name, values, source: 'db/schema.ts' };
  };
  return [
    { name: 'RejectReason', values: REJECT_REASON_TAGS, source: 'lib/review/reasons.ts' },
    { name: 'Role', values: ROLES, source: 'lib/auth/roles.ts' },
    { name: 'Permission', values: Object.keys(PERMISSIONS), source: 'lib/auth/roles.ts' },
    fromSchema('ItemStatus'),
    fromSchema('Decision'),
    fromSchema('VerdictKind'),
    fromSchema('InstructionKind'),
    { name: 'InstructionType', values: itemFilterSchema.shape.instructionType.unwrap().options, source: 'lib/filter/filter.ts' },
    fromSchema('CandidateOrigin'),
    { name: 'JobKind', values: KIND_IDS, source: 'lib/jobs/kinds/index.ts' },
    fromSchema('JobStatus'),
    { name: 'BatchKind', values: BATCH_KINDS, source: 'lib/jobs/kinds/index.ts' },
    { name: 'ExportFormat', values: EXPORT_FORMATS, source: 'lib/export/formats.ts' },
    fromSchema('ExportRunStatus'),
    fromSchema('RunStatus'),
    fromSchema('AuditStatus'),
    { name: 'AuditPopulation', values: POPULATION_KINDS, source: 'lib/audit/constants.ts' },
    { name: 'SignalName', values: SIGNAL_NAMES, source: 'lib/filter/filter.ts' },
  ];
}

export const ENUMS_START = '<!-- shared-enums:start (generated from the code: UPDATE_DOCS=1 npx vitest run lib/docs/enums.test.ts) -->';
export const ENUMS_END = '<!-- shared-enums:end -->';

/** The generated table, between its markers. */
export function enumsTable(): string {
  const rows = sharedEnums().map((e) => `| \`${e.name}\` | ${e.values.map((v) => `\`${v}\``).join(', ')} | \`${e.source}\` |`);
  return [ENUMS_START, '| Name | Values | Defined in |', '|---|---|---|', ...rows, ENUMS_END].join('\n');
}
