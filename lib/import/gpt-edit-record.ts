import { checkRelativePath } from '../images/paths';
import type { InstructionKind } from '@/db/schema';

/** A metadata record of the released GPT-Image-Edit-1.5M layout, checked. */
export interface GptEditRecord {
  id: string;
  family: string;
  task: string;
  input: string;
  output: string;
  instructionType: 'original' | 'rewrite' | 'complex';
  /** Instruction versions in creation order; the last one is current. */
  instructions: { kind: InstructionKind; text: string; field: string }[];
  /** The captions of the images, when the record has them. */
  descriptions: { input_description?: unknown; output_description?: unknown };
}

const INSTRUCTION_TYPES = new Set(['original', 'rewrite', 'complex']);

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** Checks one record; returns it typed, or the reason it is skipped. */
export function parseGptEditRecord(value: unknown): { ok: true; record: GptEditRecord } | { ok: false; reason: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'record is not a JSON object' };
  }
  const r = value as Record<string, unknown>;
  const id = typeof r.id === 'number' ? String(r.id) : r.id;
  const missing = (
    [
      ['id', id],
      ['dataset_source', r.dataset_source],
      ['task', r.task],
      ['input', r.input],
      ['output', r.output],
      ['instruction', r.instruction],
    ] as const
  )
    .filter(([, v]) => !nonEmptyString(v))
    .map(([name]) => name);
  if (missing.length) return { ok: false, reason: `missing required field${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}` };

  const type = r.instruction_type ?? 'original';
  if (typeof type !== 'string' || !INSTRUCTION_TYPES.has(type)) {
    return { ok: false, reason: `instruction_type must be original, rewrite or complex (got ${JSON.stringify(type)})` };
  }
  const input = checkRelativePath(r.input);
  if (!input.ok) return { ok: false, reason: `input: ${input.reason}` };
  const output = checkRelativePath(r.output);
  if (!output.ok) return { ok: false, reason: `output: ${output.reason}` };

  const instruction = (r.instruction as string).trim();
  const instructions: GptEditRecord['instructions'] = [];
  if (type === 'rewrite' && nonEmptyString(r.instruction_original)) {
    instructions.push({ kind: 'original', text: r.instruction_original.trim(), field: 'instruction_original' });
  }
  instructions.push({ kind: type as InstructionKind, text: instruction, field: 'instruction' });

  return {
    ok: true,
    record: {
      id: id as string,
      family: r.dataset_source as string,
      task: r.task as string,
      input: input.path,
      output: output.path,
      instructionType: type as GptEditRecord['instructionType'],
      instructions,
      descriptions: { input_description: r.input_description, output_description: r.output_description },
    },
  };
}
