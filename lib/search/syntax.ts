/**
 * What a search may say, checked before anything reaches SQLite (client-safe: no imports, so the
 * filter schema and the browser use it). A search is words, each a whole word or a prefix when `*`
 * ends it (`remov*`), and "quoted phrases" (the words next to each other, in order). All must be
 * in the item's instructions or input description; case and accents do not matter.
 *
 * Anything else is refused with a sentence saying why (the filter schema's 400), never passed to
 * FTS5 as syntax: operators (AND, OR, NOT, NEAR in capitals), column filters (`col:`), brackets,
 * `^`, a `*` that does not end a word, an unclosed quote, a text without a letter or digit, or
 * more than SEARCH_MAX_CHARS characters.
 */

export const SEARCH_MAX_CHARS = 1000;

/** A run of the user's text: one word, or a quoted phrase; the index's tokenizer splits it further. */
export interface SearchPart {
  text: string;
  /** Quoted, or a word the tokenizer splits ("close-up"): its words must be adjacent, in order. */
  phrase: boolean;
  /** `*` ended it: its last word is a prefix. */
  prefix: boolean;
}

const OPERATORS = new Set(['AND', 'OR', 'NOT', 'NEAR']);
const SYNTAX = /[(){}^:]/;
const WORD = /[\p{L}\p{N}]/u;

export const SEARCH_HELP = 'search for words, word* (a prefix) or "a phrase"';

/** The search's parts, or why it is refused. */
export function searchSyntax(text: string): { parts: SearchPart[]; error?: undefined } | { error: string; parts?: undefined } {
  if (text.length > SEARCH_MAX_CHARS) return { error: `a search is at most ${SEARCH_MAX_CHARS} characters` };
  const parts: SearchPart[] = [];
  let at = 0;
  while (at < text.length) {
    const char = text[at];
    if (/\s/.test(char)) {
      at++;
      continue;
    }
    let part: string;
    let quoted = false;
    if (char === '"') {
      const close = text.indexOf('"', at + 1);
      if (close < 0) return { error: `the phrase's closing quote (") is missing: ${SEARCH_HELP}` };
      part = text.slice(at + 1, close);
      quoted = true;
      at = close + 1;
    } else {
      let end = at;
      while (end < text.length && !/\s/.test(text[end]) && text[end] !== '"') end++;
      part = text.slice(at, end);
      at = end;
      if (SYNTAX.test(part)) return { error: `"${part}": brackets, ^ and column filters (col:) are not supported; ${SEARCH_HELP}` };
      if (OPERATORS.has(part.replace(/\*$/, '')))
        return { error: `${part}: operators are not supported (every word must match); ${SEARCH_HELP}` };
    }
    let prefix = false;
    if (quoted && text[at] === '*') {
      prefix = true;
      at++;
    } else if (!quoted && part.endsWith('*')) {
      prefix = true;
      part = part.slice(0, -1);
    }
    if (part.includes('*') || (prefix && !WORD.test(part.at(-1) ?? ''))) {
      return { error: `"${text.slice(0, 40)}": * goes at the end of a word (remov*); ${SEARCH_HELP}` };
    }
    if (!WORD.test(part)) continue; // only punctuation: nothing to find
    parts.push({ text: part, phrase: quoted || /[^\p{L}\p{N}\p{M}]/u.test(part), prefix });
  }
  if (parts.length === 0) return { error: `the search has no word to look for; ${SEARCH_HELP}` };
  return { parts };
}
