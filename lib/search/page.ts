import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { compileSearch, ftsQuery, type SearchPartTuple } from '@/db/search-tokens';
import { searchReady } from './build';
import { searchJson } from './query';

/** A search matching at most `few` items is read whole and sorted; one matching more is walked group by group (tests set it). */
export const searchPaging = { few: 2000 };

/**
 * One page of a search in the dataset page's order (family, task, id). A search with few matches
 * (at most searchPaging.few, in any dataset) is read whole from the index and sorted on the items' rows. A
 * common one is read group by group: each (family, task) is a scope token, so `scope AND words`
 * gives that group's matches in id order, and the page stops at `limit` rows however common the
 * words (sorting them whole was the slow case). `rest` is the filter's other terms (filterSql of
 * the filter without its search, qualified), checked per match on the item's row. Undefined when
 * the dataset's items are not all indexed yet: the caller then pages with the filter's own term
 * (the index and the scan of the rest).
 */
export function searchPageIds(
  db: Db,
  filter: { datasetId: number; family?: string; task?: string; search?: string },
  rest: { where: string; params: unknown[] },
  cursor: { family: string; task: string; id: number } | undefined,
  limit: number,
): number[] | undefined {
  if (filter.search === undefined || !searchReady(db, filter.datasetId)) return undefined;
  const search = compileSearch(JSON.parse(searchJson(filter.search)) as SearchPartTuple[]);
  const few = statement<[string, number], number>(db, 'SELECT rowid FROM search_index WHERE search_index MATCH ? LIMIT ?')
    .pluck()
    .all(ftsQuery(search), searchPaging.few + 1);
  if (few.length <= searchPaging.few) {
    const keyset = cursor ? 'AND (family, task, items.id) > (?, ?, ?)' : '';
    return statement<unknown[], number>(
      db,
      `SELECT items.id FROM items WHERE items.id IN (SELECT value FROM json_each(?)) AND ${rest.where} ${keyset}
       ORDER BY family, task, items.id LIMIT ?`,
    )
      .pluck()
      .all(JSON.stringify(few), ...rest.params, ...(cursor ? [cursor.family, cursor.task, cursor.id] : []), limit);
  }
  const family = filter.family ?? null;
  const task = filter.family ? (filter.task ?? null) : null;
  const groups = statement<[number, Text, Text, Text, Text, Text, Text, Text], Scope>(
    db,
    `SELECT id, family, task FROM search_scopes
     WHERE dataset_id = ? AND (? IS NULL OR family = ?) AND (? IS NULL OR task = ?) AND (? IS NULL OR (family, task) >= (?, ?))
     ORDER BY family, task`,
  ).all(filter.datasetId, family, family, task, task, cursor?.family ?? null, cursor?.family ?? null, cursor?.task ?? null);
  // The FTS table drives (CROSS JOIN keeps it outer) in rowid order, which it gives without a sort.
  const page = statement<unknown[], number>(
    db,
    `SELECT items.id FROM search_index CROSS JOIN items ON items.id = search_index.rowid
     WHERE search_index MATCH ? AND search_index.rowid > ? AND ${rest.where}
     ORDER BY search_index.rowid LIMIT ?`,
  ).pluck();
  const ids: number[] = [];
  for (const group of groups) {
    const after = cursor && group.family === cursor.family && group.task === cursor.task ? cursor.id : 0;
    ids.push(...page.all(ftsQuery(search, group.id), after, ...rest.params, limit - ids.length));
    if (ids.length >= limit) break;
  }
  return ids;
}

type Text = string | null;

interface Scope {
  id: number;
  family: string;
  task: string;
}
