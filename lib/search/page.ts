import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { compileSearch, ftsQuery, type SearchPartTuple } from '@/db/search-tokens';
import { searchReady } from './build';
import { searchJson } from './query';

/**
 * One page of a search, in item id order, from the index: FTS5 gives its matches in rowid order
 * without a sort, so the walk stops at `limit` rows however common the words (sorting a common
 * word's matches in the dataset page's (family, task, id) order was the slow case). With a family
 * and a task, the walk is of that (family, task)'s scope token and the words together. `rest` is
 * the filter's other terms (filterSql of the filter without its search, qualified), checked per
 * match on the item's row. Undefined when the dataset's items are not all indexed yet: the caller
 * then pages with the filter's own term (the index and the scan of the rest), in the same order.
 */
export function searchPageIds(
  db: Db,
  filter: { datasetId: number; family?: string; task?: string; search?: string },
  rest: { where: string; params: unknown[] },
  afterId: number | undefined,
  limit: number,
): number[] | undefined {
  if (filter.search === undefined || !searchReady(db, filter.datasetId)) return undefined;
  const search = compileSearch(JSON.parse(searchJson(filter.search)) as SearchPartTuple[]);
  let scope: number | undefined;
  if (filter.family !== undefined && filter.task !== undefined) {
    scope = statement<[number, string, string], number>(db, 'SELECT id FROM search_scopes WHERE dataset_id = ? AND family = ? AND task = ?')
      .pluck()
      .get(filter.datasetId, filter.family, filter.task);
    if (scope === undefined) return [];
  }
  // The FTS table drives (CROSS JOIN keeps it outer) in rowid order.
  return statement<unknown[], number>(
    db,
    `SELECT items.id FROM search_index CROSS JOIN items ON items.id = search_index.rowid
     WHERE search_index MATCH ? AND search_index.rowid > ? AND ${rest.where}
     ORDER BY search_index.rowid LIMIT ?`,
  )
    .pluck()
    .all(ftsQuery(search, scope), afterId ?? 0, ...rest.params, limit);
}
