import { descriptionOf, instructionsOf } from './document';
import { searchSyntax } from './syntax';

/**
 * The search as the SQL functions read it (db/search-tokens.ts): JSON [[text, phrase, prefix], ...].
 * Throws on a search the filter schema refuses (the schema is the place that answers 400).
 */
export function searchJson(text: string): string {
  const syntax = searchSyntax(text);
  if (syntax.error !== undefined) throw new Error(`search: ${syntax.error}`);
  return JSON.stringify(syntax.parts.map((p) => [p.text, p.phrase ? 1 : 0, p.prefix ? 1 : 0]));
}

/**
 * The filter term (lib/filter/filter.ts) for items matching the search: the index's matches, and a
 * scan of the items above its watermark (imported since it was built; loupe_search_match
 * tokenizes as the index does), so no item is missing while the index builds. Client-safe: the
 * SQL functions (db/search-tokens.ts) do the tokenizing.
 */
export function searchTermSql(text: string): { term: string; params: string[] } {
  const json = searchJson(text);
  return {
    term: `items.id IN (SELECT rowid FROM search_index WHERE search_index MATCH loupe_search_fts(?)
       UNION ALL SELECT i.id FROM items i WHERE i.id > (SELECT items_done FROM search_state WHERE id = 1)
         AND loupe_search_match(${instructionsOf('i')}, ${descriptionOf('i')}, ?))`,
    params: [json, json],
  };
}
