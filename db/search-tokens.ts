import Database from 'better-sqlite3';

/**
 * The search index's tokenizer (db/migrations/0015_search_positions.sql), done in JavaScript exactly
 * as SQLite does it, for the items the index does not hold yet (the SQL function below) and for
 * highlights. unicode61 decides per code point: a separator, or a token character folded
 * (lower case, diacritics removed) to zero or more characters. That table is read from SQLite
 * itself, so the scan and the index cannot disagree.
 */
export const SEARCH_TOKENIZER = 'unicode61 remove_diacritics 2';

/** Code points below this are read from SQLite at once (the BMP and plane 1: scripts, symbols, emoji); the rest one by one when met. */
const TABLE_END = 0x20000;

let probe: { table: (string | undefined)[]; rare: Map<number, string | undefined>; foldOne: (c: number) => string | undefined } | undefined;

/**
 * Each code point's folded form (undefined: a separator), from an in-memory FTS5 table holding
 * 'a' + the character + 'a' per row: two tokens when the character separates, else one token
 * 'a' + its folded form + 'a'. About a second, once per process, on first use.
 */
function folds() {
  if (probe) return probe;
  const sqlite = new Database(':memory:');
  sqlite.exec(`CREATE VIRTUAL TABLE t USING fts5(x, tokenize = '${SEARCH_TOKENIZER}');
               CREATE VIRTUAL TABLE v USING fts5vocab(t, instance);`);
  const insert = sqlite.prepare<[number, string]>('INSERT INTO t (rowid, x) VALUES (?, ?)');
  const read = sqlite.prepare<[], [number, string]>('SELECT doc, term FROM v ORDER BY doc, "offset"').raw();
  const foldsOf = () => {
    const tokens = new Map<number, string[]>();
    for (const [doc, term] of read.all()) {
      const list = tokens.get(doc);
      if (list) list.push(term);
      else tokens.set(doc, [term]);
    }
    sqlite.exec('DELETE FROM t');
    return tokens;
  };
  // IMMEDIATE like every write transaction (db/transaction.test.ts), though this in-memory database has no other writer.
  sqlite
    .transaction(() => {
      for (let c = 1; c < TABLE_END; c++) if (c < 0xd800 || c > 0xdfff) insert.run(c, `a${String.fromCodePoint(c)}a`);
    })
    .immediate();
  const table: (string | undefined)[] = new Array(TABLE_END);
  for (const [c, terms] of foldsOf()) if (terms.length === 1) table[c] = terms[0].slice(1, -1);
  const rare = new Map<number, string | undefined>();
  const foldOne = (c: number) => {
    if (!rare.has(c)) {
      insert.run(c, `a${String.fromCodePoint(c)}a`);
      const terms = foldsOf().get(c) ?? [];
      rare.set(c, terms.length === 1 ? terms[0].slice(1, -1) : undefined);
    }
    return rare.get(c);
  };
  probe = { table, rare, foldOne };
  return probe;
}

/** One token: its folded term and where it is in the text (UTF-16 offsets, end exclusive). */
export interface Token {
  term: string;
  start: number;
  end: number;
}

/** The text's tokens as the search index sees them. Empty tokens (a lone combining mark) are left out, as FTS5 does. */
export function tokenize(text: string): Token[] {
  const { table, foldOne } = folds();
  const tokens: Token[] = [];
  let term = '';
  let start = -1;
  let at = 0;
  for (const char of text) {
    const c = char.codePointAt(0)!;
    const fold = c < TABLE_END ? table[c] : foldOne(c);
    if (fold === undefined) {
      if (start >= 0 && term) tokens.push({ term, start, end: at });
      term = '';
      start = -1;
    } else {
      if (start < 0) start = at;
      term += fold;
    }
    at += char.length;
  }
  if (start >= 0 && term) tokens.push({ term, start, end: at });
  return tokens;
}

/** One word of a search: a whole word, or a prefix (`remov*`), as the tokenizer folds it. */
export interface SearchTerm {
  term: string;
  prefix: boolean;
}

/**
 * A search ready to run (from lib/search/syntax.ts's parts, as [text, phrase, prefix] triples):
 * each group is one word, or a phrase's words in order (its last word may be a prefix).
 */
export interface CompiledSearch {
  groups: SearchTerm[][];
}

export type SearchPartTuple = [text: string, phrase: 0 | 1, prefix: 0 | 1];

export function compileSearch(parts: SearchPartTuple[]): CompiledSearch {
  const groups: SearchTerm[][] = [];
  for (const [text, phrase, prefix] of parts) {
    const words = tokenize(text).map((t) => ({ term: t.term, prefix: false }));
    if (words.length === 0) continue;
    if (prefix) words[words.length - 1].prefix = true;
    if (phrase || words.length === 1) groups.push(words);
    else for (const word of words) groups.push([word]);
  }
  return { groups };
}

const matchesTerm = (token: string, { term, prefix }: SearchTerm) => (prefix ? token.startsWith(term) : token === term);

/** Where the group's words are next to each other in order: the indexes of each occurrence's first token. */
function occurrences(tokens: Token[], group: SearchTerm[]): number[] {
  const found: number[] = [];
  for (let i = 0; i + group.length <= tokens.length; i++) {
    if (group.every((word, k) => matchesTerm(tokens[i + k].term, word))) found.push(i);
  }
  return found;
}

/** True when every word or phrase of the search is in one of the texts (a phrase within one text), as the index answers. */
export function textsMatch(texts: (string | null | undefined)[], search: CompiledSearch): boolean {
  if (search.groups.length === 0) return false;
  const tokenized = texts.flatMap((text) => (text ? [tokenize(text)] : []));
  return search.groups.every((group) => tokenized.some((tokens) => occurrences(tokens, group).length > 0));
}

/** The ranges of the text's tokens that a word or phrase of the search matches, in order (UTF-16 offsets, end exclusive). */
export function matchRanges(text: string, search: CompiledSearch): [number, number][] {
  const tokens = tokenize(text);
  const hit = new Set<number>();
  for (const group of search.groups)
    for (const first of occurrences(tokens, group)) for (let k = 0; k < group.length; k++) hit.add(first + k);
  return tokens.flatMap((token, i): [number, number][] => (hit.has(i) ? [[token.start, token.end]] : []));
}

const quoted = (terms: SearchTerm[]) => `"${terms.map((t) => t.term.replace(/"/g, '""')).join(' ')}"${terms.at(-1)!.prefix ? '*' : ''}`;

/**
 * The FTS5 query of the search: each word or phrase a quoted string (its own quotes doubled; a
 * prefix's `*` after it), all required, in the text columns only; `""` (nothing) without words.
 */
export function ftsQuery(search: CompiledSearch, scopeId?: number): string {
  if (search.groups.length === 0) return '""';
  const text = `{instructions description} : (${search.groups.map(quoted).join(' AND ')})`;
  return scopeId === undefined ? text : `scope : "s${scopeId}" AND ${text}`;
}

/**
 * The search's SQL functions, each taking the search as JSON [[text, phrase, prefix], ...]
 * (lib/search/query.ts): `loupe_search_fts(search)` the FTS5 query, and
 * `loupe_search_match(instructions, description, search)` 1 when the item's texts hold the search
 * (the scan of the items not indexed yet).
 */
export function registerSearchFunctions(sqlite: Database.Database) {
  let lastJson = '';
  let last: CompiledSearch = { groups: [] };
  const compiled = (json: unknown) => {
    if (json !== lastJson) {
      last = compileSearch(JSON.parse(String(json)) as SearchPartTuple[]);
      lastJson = String(json);
    }
    return last;
  };
  sqlite.function('loupe_search_fts', { deterministic: true }, (json) => ftsQuery(compiled(json)));
  sqlite.function('loupe_search_match', { deterministic: true }, (instructions, description, json) =>
    textsMatch([instructions as string | null, description as string | null], compiled(json)) ? 1 : 0,
  );
}
