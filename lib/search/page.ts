import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { compileSearch, ftsQuery, type CompiledSearch, type SearchPartTuple } from '@/db/search-tokens';
import { descriptionOf, instructionsOf } from './document';
import { searchJson } from './query';

const compiled = (search: string): { json: string; search: CompiledSearch } => {
  const json = searchJson(search);
  return { json, search: compileSearch(JSON.parse(json) as SearchPartTuple[]) };
};

/** Every item up to this id is in the index; the items above it are scanned. */
const watermark = (db: Db) => statement<[], number>(db, 'SELECT items_done FROM search_state WHERE id = 1').pluck().get() ?? 0;

/** The dataset's scope tokens (one per family and task), narrowed to the filter's family and task: none when it has no such items. */
const scopesOf = (db: Db, filter: { datasetId: number; family?: string; task?: string }) =>
  statement<[number, string | null, string | null, string | null, string | null], number>(
    db,
    'SELECT id FROM search_scopes WHERE dataset_id = ? AND (? IS NULL OR family = ?) AND (? IS NULL OR task = ?)',
  )
    .pluck()
    .all(filter.datasetId, filter.family ?? null, filter.family ?? null, filter.task ?? null, filter.task ?? null);

/**
 * One page of a search, in item id order. First the index: FTS5 gives its matches in rowid order
 * without a sort, so the walk stops at `limit` rows however common the words (sorting a common
 * word's matches in the dataset page's (family, task, id) order was the slow case); with a family
 * and a task, their scope token narrows the walk itself. Then, when the page is not full, the
 * items above the watermark (imported since the index was built) are scanned in id order, so
 * none is missing while the index builds (NOT INDEXED: the ids past the watermark are few once it is
 * built, and a dataset's index would walk all its items). `rest` is the filter's other terms
 * (filterSql of the filter without its search, qualified), checked on each match's row.
 */
export function searchPageIds(
  db: Db,
  filter: { datasetId: number; family?: string; task?: string; search: string },
  rest: { where: string; params: unknown[] },
  afterId: number | undefined,
  limit: number,
): number[] {
  const { json, search } = compiled(filter.search);
  const after = afterId ?? 0;
  const done = watermark(db);
  const ids: number[] = [];
  let scope: number | undefined;
  if (filter.family !== undefined && filter.task !== undefined) [scope] = scopesOf(db, filter);
  if (after < done && (scope !== undefined || filter.family === undefined || filter.task === undefined)) {
    // The FTS table drives (CROSS JOIN keeps it outer) in rowid order.
    ids.push(
      ...statement<unknown[], number>(
        db,
        `SELECT items.id FROM search_index CROSS JOIN items ON items.id = search_index.rowid
         WHERE search_index MATCH ? AND search_index.rowid > ? AND ${rest.where}
         ORDER BY search_index.rowid LIMIT ?`,
      )
        .pluck()
        .all(ftsQuery(search, scope), after, ...rest.params, limit),
    );
  }
  if (ids.length < limit) {
    ids.push(
      ...statement<unknown[], number>(
        db,
        `SELECT items.id FROM items NOT INDEXED WHERE items.id > ? AND ${rest.where}
           AND loupe_search_match(${instructionsOf('items')}, ${descriptionOf('items')}, ?)
         ORDER BY items.id LIMIT ?`,
      )
        .pluck()
        .all(Math.max(after, done), ...rest.params, json, limit - ids.length),
    );
  }
  return ids;
}

/**
 * How many items a search matches in a dataset (and family, task): the index's count, plus the
 * items above the watermark that match. `rest`: the filter's other terms (filterSql of the filter
 * without its search, qualified) when it has terms besides its dataset, family and task; without
 * them the index counts alone, its scope tokens standing for the dataset, family and task. A common
 * word's count at 1.5M items is then FTS5 counting its matches (~10 ms; filterSql's term, ~1 s).
 */
export function searchCount(
  db: Db,
  filter: { datasetId: number; family?: string; task?: string; search: string },
  rest?: { where: string; params: unknown[] },
): number {
  const { json, search } = compiled(filter.search);
  const scopes = scopesOf(db, filter);
  const done = watermark(db);
  const where = rest ?? {
    where: 'items.dataset_id = ? AND (? IS NULL OR items.family = ?) AND (? IS NULL OR items.task = ?)',
    params: [filter.datasetId, filter.family ?? null, filter.family ?? null, filter.task ?? null, filter.task ?? null],
  };
  let indexed = 0;
  if (scopes.length > 0 && done > 0) {
    // Every scope of the index (one dataset, no family or task): the words alone, without an OR of scopes to walk.
    const all = statement<[], number>(db, 'SELECT count(*) FROM search_scopes').pluck().get() === scopes.length;
    const query = all ? ftsQuery(search) : `scope : (${scopes.map((s) => `"s${s}"`).join(' OR ')}) AND ${ftsQuery(search)}`;
    indexed = rest
      ? (statement<unknown[], number>(
          db,
          `SELECT count(*) FROM search_index CROSS JOIN items ON items.id = search_index.rowid WHERE search_index MATCH ? AND ${rest.where}`,
        )
          .pluck()
          .get(query, ...rest.params) ?? 0)
      : (statement<[string], number>(db, 'SELECT count(*) FROM search_index WHERE search_index MATCH ?').pluck().get(query) ?? 0);
  }
  const scanned =
    statement<unknown[], number>(
      db,
      `SELECT count(*) FROM items NOT INDEXED WHERE items.id > ? AND ${where.where}
         AND loupe_search_match(${instructionsOf('items')}, ${descriptionOf('items')}, ?)`,
    )
      .pluck()
      .get(done, ...where.params, json) ?? 0;
  return indexed + scanned;
}
