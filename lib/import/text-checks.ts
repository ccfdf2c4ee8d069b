import { formatBytes, type ImportLimits } from './limits';

/*
 * Text that reaches reviewers and training code is checked on the way in. Refused:
 * - control characters (U+0000-U+001F, U+007F-U+009F). Instructions, ids, families and
 *   tasks are one line, so they may hold none at all; descriptions (captions of the source
 *   image) are prose, so tab, line feed and carriage return are allowed there;
 * - lone surrogates (an escaped \ud800 in JSON decodes to one): not text, and they break
 *   UTF-8 encoders downstream;
 * - U+FFFD, the replacement character: the trace of bytes lost by an earlier decoding
 *   (Loupe's own readers refuse bytes that are not UTF-8, naming the record);
 * - instructions longer than ImportLimits.maxInstructionChars.
 */

const ONE_LINE_BAD = /[\p{Cc}\p{Cs}\uFFFD]/u;
// eslint-disable-next-line no-control-regex -- control characters are what this pattern looks for
const PROSE_BAD = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\p{Cs}\uFFFD]/u;

/** Why a text field is refused, or undefined; `field` names it in the reason. */
export function textProblem(field: string, value: string, kind: 'one-line' | 'prose'): string | undefined {
  const match = (kind === 'one-line' ? ONE_LINE_BAD : PROSE_BAD).exec(value);
  if (!match) return undefined;
  const c = match[0];
  const code = `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  const at = `at character ${match.index + 1}`;
  if (c === '\0') return `${field} contains a NUL character (${at})`;
  if (c === '\uFFFD') return `${field} contains U+FFFD, the replacement character left by bytes that were not text (${at})`;
  if (/\p{Cs}/u.test(c)) return `${field} contains a lone surrogate ${code} (${at}): not valid Unicode text`;
  return `${field} contains the control character ${code} (${at})`;
}

/** The texts of one item to check: everything shown to a reviewer or written by an export. */
export interface ItemTexts {
  externalId: string;
  family: string;
  task: string;
  /** The instruction versions (their field name in the data, for the reason). */
  instructions: { field: string; text: string }[];
  /** Descriptions by field name; values that are not strings are ignored. */
  descriptions?: Record<string, unknown>;
}

/** The first reason the item's text is refused, or undefined. */
export function itemTextProblem(item: ItemTexts, limits: Pick<ImportLimits, 'maxInstructionChars'>): string | undefined {
  for (const [field, value] of [
    ['id', item.externalId],
    ['family', item.family],
    ['task', item.task],
  ] as const) {
    const problem = textProblem(field, value, 'one-line');
    if (problem) return problem;
  }
  for (const { field, text } of item.instructions) {
    if (text.length > limits.maxInstructionChars) {
      return `${field} is ${text.length} characters long, more than the limit of ${limits.maxInstructionChars}`;
    }
    const problem = textProblem(field, text, 'one-line');
    if (problem) return problem;
  }
  for (const [field, value] of Object.entries(item.descriptions ?? {})) {
    if (typeof value !== 'string') continue;
    const problem = textProblem(field, value, 'prose');
    if (problem) return problem;
  }
  return undefined;
}

/**
 * The nesting depth of a JSON text (`{}` is 1), counting brackets outside strings; for
 * records that were not read by the record splitter (CSV rows, parquet rows as stored).
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // a backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/** Why a record (its stored JSON text) is refused for its size or nesting, or undefined. */
export function recordProblem(json: string, limits: Pick<ImportLimits, 'maxRecordBytes' | 'maxDepth'>): string | undefined {
  const bytes = Buffer.byteLength(json);
  if (bytes > limits.maxRecordBytes) return `record is ${formatBytes(bytes)}, more than the limit of ${formatBytes(limits.maxRecordBytes)}`;
  const depth = jsonDepth(json);
  if (depth > limits.maxDepth) return `record nests ${depth} levels deep, more than the limit of ${limits.maxDepth}`;
  return undefined;
}
