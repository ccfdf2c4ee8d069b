/**
 * The job kinds. A kind is one file in this folder (lib/jobs/kind.ts says what it declares) and one
 * entry here; everything that depends on the kinds reads this list. The order is the order kinds
 * are shown in (docs/api.md, the dashboard). Server-only: the kinds' runners use sharp and the
 * OpenAI SDK; client components get the labels from the root layout (components/jobs/JobKinds.tsx).
 */
import type { JobKindDefinition, PriorityClass } from '../kind';
import { judge } from './judge';
import { regenerate } from './regenerate';
import { regeneratePair } from './regenerate_pair';
import { rewrite } from './rewrite';
import { signals } from './signals';

export const KINDS = [regenerate, regeneratePair, rewrite, signals, judge] as const;

type Kind = (typeof KINDS)[number];
export type JobKind = Kind['id'];
/** Kinds a batch can queue. */
export type BatchKind = Extract<Kind, { batchable: true }>['id'];

export const KIND_IDS = KINDS.map((kind) => kind.id) as [JobKind, ...JobKind[]];
export const BATCH_KINDS = KINDS.filter((kind) => kind.batchable).map((kind) => kind.id) as [BatchKind, ...BatchKind[]];

const byId = new Map<string, JobKindDefinition>(KINDS.map((kind) => [kind.id, kind]));

/** The kind of that id; undefined for one this code does not know. */
export function kindOf(id: string): JobKindDefinition | undefined {
  return byId.get(id);
}

/**
 * SQL: `column` is the id of a kind that passes `test` (false when none does). The ids are
 * written in as literals: they come from this list, never from input (kind.ts: lower-case
 * letters and underscores, which defineKind asserts).
 */
export function kindIn(test: (kind: JobKindDefinition) => boolean, column = 'kind'): string {
  const ids = KINDS.filter(test).map((kind) => `'${kind.id}'`);
  return ids.length ? `${column} IN (${ids.join(', ')})` : '0';
}

/** What the browser needs of each kind (plain data: the root layout hands it to client components). */
export interface JobKindMeta {
  id: string;
  label: string;
  batchLabel?: string;
  batchable: boolean;
  priority: PriorityClass;
}

export const KIND_META: JobKindMeta[] = KINDS.map(({ id, label, batchLabel, batchable, priority }: JobKindDefinition) => ({
  id,
  label,
  ...(batchLabel ? { batchLabel } : {}),
  batchable,
  priority,
}));
