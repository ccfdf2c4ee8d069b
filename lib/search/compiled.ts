import { compileSearch, type CompiledSearch, type SearchPartTuple } from '@/db/search-tokens';
import { searchJson } from './query';
import { searchSyntax } from './syntax';

/** The search's words and phrases as the index folds them (none for no search or one the filter schema refuses). */
export function parseSearch(text: string | undefined): CompiledSearch {
  if (text === undefined || searchSyntax(text).error !== undefined) return { groups: [] };
  return compileSearch(JSON.parse(searchJson(text)) as SearchPartTuple[]);
}
