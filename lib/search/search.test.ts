/**
 * The full-text search: the index (built in chunks behind a watermark), the scan of what it does
 * not hold yet, the query parser's safety, the page order and the highlights, on real databases.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { ftsQuery, matchRanges, textsMatch, tokenize } from '@/db/search-tokens';
import { filterSql, listFilterSchema, type ListFilter } from '@/lib/filter/filter';
import { filterInputFromFlags, filterInputFromParams, filterToParams } from '@/lib/filter/filter-codec';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { addHumanInstruction, listItems, type ItemCursor } from '@/lib/review/items';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { buildSearchIndex, indexNextChunk, searchStatus } from './build';
import { parseSearch } from './compiled';
import { highlightRows, highlightSegments } from './highlight';
import { searchCount } from './page';
import { SEARCH_MAX_CHARS, searchSyntax } from './syntax';

afterAll(cleanupTemp);

const WORDS = ['sky', 'red', 'car', 'remove', 'person', 'snow', 'the', 'a', 'blue', 'cat', 'dog', 'tree', 'café', 'Zürich', 'removal'];
const FAMILIES = [
  ['omniedit', 'removal'],
  ['omniedit', 'style'],
  ['ultraedit', 'add'],
  ['hqedit', 'edit'],
] as const;

/** Adds `n` items to the dataset (rows copied from its first item) with generated texts; some get a rewrite. */
function addItems(db: Db, datasetId: number, n: number, seed: number) {
  const sqlite = db.$client;
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const sentence = (length: number) => Array.from({ length }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
  const template = sqlite.prepare('SELECT * FROM items WHERE dataset_id = ? ORDER BY id LIMIT 1').get(datasetId) as Record<string, unknown>;
  const insertItem = sqlite.prepare(
    `INSERT INTO items (dataset_id, external_id, family, task, instruction_type, source_root_id, source_path, source_width, source_height,
       metadata, status, current_instruction_id, current_candidate_id, import_run_id)
     VALUES (@dataset_id, @external_id, @family, @task, 'original', @source_root_id, @source_path, @source_width, @source_height,
       json_object('input_description', @description), 'pending', 0, @current_candidate_id, @import_run_id)`,
  );
  const insertVersion = sqlite.prepare(`INSERT INTO instruction_versions (item_id, kind, text) VALUES (?, ?, ?)`);
  const setCurrent = sqlite.prepare('UPDATE items SET current_instruction_id = ? WHERE id = ?');
  sqlite.transaction(() => {
    for (let k = 0; k < n; k++) {
      const [family, task] = FAMILIES[Math.floor(random() * FAMILIES.length)];
      const id = Number(
        insertItem.run({ ...template, external_id: `synthetic-${seed}-${k}`, family, task, description: sentence(3) }).lastInsertRowid,
      );
      let current = Number(insertVersion.run(id, 'original', `${sentence(5)}, ${sentence(2)}!`).lastInsertRowid);
      if (random() < 0.3) current = Number(insertVersion.run(id, 'rewrite', sentence(6)).lastInsertRowid);
      setCurrent.run(current, id);
    }
    sqlite.prepare('DELETE FROM item_counts WHERE dataset_id = ?').run(datasetId);
    sqlite
      .prepare(
        `INSERT INTO item_counts (dataset_id, family, task, instruction_type, status, n)
         SELECT dataset_id, family, task, instruction_type, status, count(*) FROM items WHERE dataset_id = ? GROUP BY 1, 2, 3, 4, 5`,
      )
      .run(datasetId);
  })();
}

/** The item ids a filter selects through filterSql (the term every consumer uses). */
const selected = (db: Db, filter: ListFilter) => {
  const { where, params } = filterSql(filter);
  return db.$client
    .prepare<unknown[], number>(`SELECT id FROM items WHERE ${where} ORDER BY id`)
    .pluck()
    .all(...params);
};

/** The reference answer, from each item's current instruction and description, tokenized in JavaScript. */
const reference = (db: Db, datasetId: number, search: string) => {
  const terms = parseSearch(search);
  const rows = db.$client
    .prepare<[number], { id: number; texts: string; description: string | null }>(
      `SELECT i.id, (SELECT text FROM instruction_versions WHERE id = i.current_instruction_id) AS texts,
              json_extract(i.metadata, '$.input_description') AS description
       FROM items i WHERE dataset_id = ? ORDER BY id`,
    )
    .all(datasetId);
  return rows.filter((row) => textsMatch([row.texts, row.description], terms)).map((row) => row.id);
};

/** Every page of the dataset page's listing, following the cursors. */
function allPages(db: Db, filter: ListFilter, limit: number) {
  const ids: number[] = [];
  let cursor: ItemCursor | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const page = listItems(db, filter, cursor, limit);
    ids.push(...page.rows.map((r) => r.id));
    if (!page.next) return ids;
    cursor = page.next;
  }
  throw new Error('too many pages');
}

const setWatermark = (db: Db, value: number) => db.$client.prepare('UPDATE search_state SET items_done = ? WHERE id = 1').run(value);
const clearIndex = (db: Db) => {
  db.$client.exec(`DELETE FROM search_index; UPDATE search_state SET items_done = 0 WHERE id = 1;`);
};

describe('the query syntax', () => {
  it('refuses FTS5 syntax, a text without words and an over-long text, saying why (the schema: a 400 naming the term)', () => {
    const HOSTILE = [
      '"',
      '"sky',
      'sky"',
      '*',
      '**',
      '*sky',
      's*ky',
      'NEAR(sky car)',
      'sky NEAR car',
      'sky AND car',
      'sky OR car',
      'NOT sky',
      'instructions:sky',
      '{instructions}: sky',
      '(sky)',
      '^sky',
      '()^:{}-+',
      '  ',
      '!?',
      'x'.repeat(SEARCH_MAX_CHARS + 1),
    ];
    for (const text of HOSTILE) {
      const parsed = listFilterSchema.safeParse({ datasetId: 1, search: text });
      expect(parsed.success, text).toBe(false);
      const issue = parsed.error!.issues[0];
      expect(issue.path, text).toEqual(['search']);
      expect(issue.message.length, text).toBeGreaterThan(10);
      expect(issue.message, text).not.toMatch(/fts5|syntax error/i);
    }
    expect(searchSyntax('x'.repeat(SEARCH_MAX_CHARS)).error).toBeUndefined();
    expect(searchSyntax('sky"').error).toMatch(/closing quote/);
    expect(searchSyntax('sky OR car').error).toMatch(/OR: operators are not supported/);
  });

  it('reads words, prefixes and phrases, folded as the index folds them', () => {
    expect(parseSearch('Red car').groups).toEqual([[{ term: 'red', prefix: false }], [{ term: 'car', prefix: false }]]);
    expect(parseSearch('remov* the').groups).toEqual([[{ term: 'remov', prefix: true }], [{ term: 'the', prefix: false }]]);
    expect(parseSearch('"red car" and or').groups).toEqual([
      [
        { term: 'red', prefix: false },
        { term: 'car', prefix: false },
      ],
      [{ term: 'and', prefix: false }],
      [{ term: 'or', prefix: false }],
    ]);
    expect(parseSearch('"the blu"*').groups).toEqual([
      [
        { term: 'the', prefix: false },
        { term: 'blu', prefix: true },
      ],
    ]);
    expect(parseSearch('close-up').groups).toEqual([
      [
        { term: 'close', prefix: false },
        { term: 'up', prefix: false },
      ],
    ]);
    expect(parseSearch('Zürich CAFÉ').groups).toEqual([[{ term: 'zurich', prefix: false }], [{ term: 'cafe', prefix: false }]]);
    expect(ftsQuery(parseSearch('"red car" red remov* "the blu"*'))).toBe(
      '{instructions description} : ("red car" AND "red" AND "remov"* AND "the blu"*)',
    );
  });

  it('any text the schema accepts runs as a query (never an FTS5 error), and the index agrees with the scan', () => {
    const { db } = tempDb();
    const sqlite = db.$client;
    sqlite.exec(
      `CREATE VIRTUAL TABLE probe USING fts5(instructions, description, content = '', tokenize = 'unicode61 remove_diacritics 2')`,
    );
    const docs = [
      'Make the sky red',
      'NEAR the car "quoted"',
      'café AND Zürich',
      'emoji 🙂 here',
      'x*y',
      'ǅemal Straße İstanbul ΣΊΣΥΦΟΣ',
      'red the sky',
    ];
    docs.forEach((doc, i) => sqlite.prepare('INSERT INTO probe (rowid, instructions, description) VALUES (?, ?, ?)').run(i + 1, doc, ''));
    const run = (text: string) => {
      return sqlite
        .prepare<[string], number>('SELECT rowid FROM probe WHERE probe MATCH ? ORDER BY rowid')
        .pluck()
        .all(ftsQuery(parseSearch(text)));
    };
    const scan = (text: string) => docs.flatMap((doc, i) => (textsMatch([doc], parseSearch(text)) ? [i + 1] : []));
    for (const text of [
      'cafe',
      'CAFÉ',
      'zurich',
      'x*',
      'straße',
      'σίσυφος',
      'istanbul',
      '"the sky"',
      '"sky red"',
      '"the sk"*',
      'the sky',
    ]) {
      expect(searchSyntax(text).error, text).toBeUndefined();
      expect(run(text), text).toEqual(scan(text));
    }
    expect(run('"the sky"')).toEqual([1, 7]);
    expect(run('"sky the"')).toEqual([]);
    let accepted = 0;
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 16 }), (text) => {
        if (searchSyntax(text.trim()).error !== undefined) return;
        accepted++;
        expect(run(text.trim())).toEqual(scan(text.trim()));
      }),
      { numRuns: 400 },
    );
    expect(accepted).toBeGreaterThan(50);
  });
});

describe('the tokenizer in JavaScript is the index tokenizer', () => {
  it('finds the same documents as FTS5 for random Unicode texts and words taken from them', () => {
    const { db } = tempDb();
    const sqlite = db.$client;
    sqlite.exec(`CREATE VIRTUAL TABLE probe USING fts5(x, tokenize = 'unicode61 remove_diacritics 2');
                 CREATE VIRTUAL TABLE probe_terms USING fts5vocab(probe, instance);`);
    const insert = sqlite.prepare('INSERT INTO probe (rowid, x) VALUES (?, ?)');
    const terms = sqlite.prepare<[number], string>('SELECT term FROM probe_terms WHERE doc = ? ORDER BY "offset"').pluck();
    const unit = fc.oneof(fc.constant('grapheme' as const), fc.constant('binary' as const), fc.constant('grapheme-ascii' as const));
    let row = 0;
    fc.assert(
      fc.property(
        unit.chain((u) => fc.string({ unit: u, maxLength: 40 })),
        (text) => {
          row++;
          insert.run(row, text);
          // A lone surrogate reaches SQLite as U+FFFD (a separator to both).
          const valid = (text as unknown as { toWellFormed(): string }).toWellFormed();
          expect(tokenize(valid).map((t) => t.term)).toEqual(terms.all(row));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('gives match ranges as UTF-16 offsets of the original text, and segments for the UI', () => {
    const text = 'Remove the 🙂 Café, then REMOVE more; removal';
    const ranges = matchRanges(text, parseSearch('remove cafe'));
    expect(ranges.map(([a, b]) => text.slice(a, b))).toEqual(['Remove', 'Café', 'REMOVE']);
    expect(matchRanges(text, parseSearch('remov*')).map(([a, b]) => text.slice(a, b))).toEqual(['Remove', 'REMOVE', 'removal']);
    expect(matchRanges(text, parseSearch('"then remove"')).map(([a, b]) => text.slice(a, b))).toEqual(['then', 'REMOVE']);
    expect(highlightSegments('Make the SKY red', 'sky')).toEqual([
      { text: 'Make the ', match: false },
      { text: 'SKY', match: true },
      { text: ' red', match: false },
    ]);
    expect(highlightSegments('Make the sky red', undefined)).toEqual([{ text: 'Make the sky red', match: false }]);
    expect(highlightSegments('Make the sky red', '"')).toEqual([{ text: 'Make the sky red', match: false }]);
  });
});

describe('the index', () => {
  let db: Db;
  let datasetId: number;
  beforeAll(async () => {
    db = tempDb().db;
    datasetId = (await importGptEdit(db, SAMPLES_DIR)).datasetId;
    addItems(db, datasetId, 3000, 7);
  });

  const QUERIES = [
    'sky',
    'red car',
    'remove the person',
    'snow',
    'cafe',
    'zurich',
    'remov*',
    'the',
    'cat dog tree',
    'blue',
    'nothingmatches',
    '"red car"',
    '"the sky"',
    'CAFÉ "the c"*',
    'Zürich',
  ];

  it('answers as the scan does, while building (any watermark) and built', async () => {
    clearIndex(db);
    for (const search of QUERIES) {
      const expected = reference(db, datasetId, search);
      expect(selected(db, { datasetId, search }), `${search}, nothing indexed`).toEqual(expected);
    }
    indexNextChunk(db, 1234); // part of the items: the index answers for them, the scan for the rest
    expect(searchStatus(db)).toMatchObject({ ready: false, indexed: 1234 });
    for (const search of QUERIES) {
      expect(selected(db, { datasetId, search }), `${search}, partly indexed`).toEqual(reference(db, datasetId, search));
    }
    await buildSearchIndex(db);
    expect(searchStatus(db)).toMatchObject({ ready: true, indexed: 3012, total: 3012 });
    for (const search of QUERIES) {
      expect(selected(db, { datasetId, search }), `${search}, built`).toEqual(reference(db, datasetId, search));
    }
    // Whole words: "remove" is not "removal" (the LIKE scan of the `text` term takes it).
    const words = new Set(selected(db, { datasetId, search: 'remove' }));
    const like = selected(db, { datasetId, text: 'removal' });
    expect(like.filter((id) => !words.has(id)).length).toBeGreaterThan(0);
  });

  it('lists a search page by page in id order from the index, as the scan does while it builds', async () => {
    await buildSearchIndex(db);
    for (const search of ['sky', 'the', 'red car', '"red car"', 'zurich', 'nothingmatches']) {
      for (const extra of [{}, { family: 'omniedit' }, { family: 'omniedit', task: 'style' }, { status: 'pending' as const }]) {
        const filter = listFilterSchema.parse({ datasetId, search, ...extra });
        const fromIndex = allPages(db, filter, 150);
        const done = searchStatus(db).indexed;
        setWatermark(db, 0); // the same listing with the index "building": filterSql's scan
        const scanned = allPages(db, filter, 150);
        setWatermark(db, done);
        expect(fromIndex, `${search} ${JSON.stringify(extra)}`).toEqual(scanned);
        expect(fromIndex).toEqual(selected(db, filter));
        expect([...fromIndex].sort((a, b) => a - b)).toEqual(fromIndex);
      }
    }
  });

  it('counts as filterSql does, from the index alone or joined to the rows, while building and built', async () => {
    const check = (label: string) => {
      for (const search of ['sky', 'red car', '"red car"', 'remov*', 'Zürich', 'nothingmatches']) {
        for (const extra of [
          {},
          { family: 'omniedit' },
          { family: 'omniedit', task: 'style' },
          { status: 'pending' as const },
          { instructionType: 'rewrite' as const },
        ]) {
          const filter = listFilterSchema.parse({ datasetId, search, ...extra });
          const others = 'status' in extra || 'instructionType' in extra;
          const rest = others ? filterSql({ ...filter, search: undefined }, undefined, true) : undefined;
          expect(searchCount(db, { ...filter, search }, rest), `${label} ${search} ${JSON.stringify(extra)}`).toBe(
            selected(db, filter).length,
          );
        }
      }
    };
    clearIndex(db);
    check('nothing indexed');
    indexNextChunk(db, 1500);
    check('half indexed');
    await buildSearchIndex(db);
    check('built');
  });

  it('re-indexes an item at once when a version replaces its instruction: found by the new words, not by the old', async () => {
    await buildSearchIndex(db);
    const itemId = selected(db, { datasetId, search: '"red car"' })[0];
    const before = selected(db, { datasetId, search: '"red car"' }).length;
    const description = db.$client
      .prepare<[number], string>(`SELECT json_extract(metadata, '$.input_description') FROM items WHERE id = ?`)
      .pluck()
      .get(itemId)!;
    expect(selected(db, { datasetId, search: 'flamingo' })).toEqual([]);
    addHumanInstruction(db, itemId, 'Paint a pink flamingo', 'someone');
    expect(searchStatus(db).ready).toBe(true);
    expect(selected(db, { datasetId, search: 'flamingo' })).toEqual([itemId]);
    expect(selected(db, { datasetId, search: 'FLAMINGO pink' })).toEqual([itemId]);
    // The old instruction's words no longer find it (unless its description has them).
    if (!textsMatch([description], parseSearch('"red car"')))
      expect(selected(db, { datasetId, search: '"red car"' }).length).toBe(before - 1);
    // The trigger indexed what the builder would: rebuilding from scratch answers the same.
    const fromTrigger = QUERIES.map((search) => selected(db, { datasetId, search }));
    clearIndex(db);
    await buildSearchIndex(db);
    expect(QUERIES.map((search) => selected(db, { datasetId, search }))).toEqual(fromTrigger);
    expect(selected(db, { datasetId, search: 'flamingo' })).toEqual([itemId]);
    const highlights = highlightRows(db, [{ id: itemId, instruction: 'Paint a pink flamingo' }], 'flamingo pink');
    expect(highlights.get(itemId)!.instruction).toEqual([
      { text: 'Paint a ', match: false },
      { text: 'pink', match: true },
      { text: ' ', match: false },
      { text: 'flamingo', match: true },
    ]);
    // A lead's row showing another instruction: the match is named where it is.
    const elsewhere = highlightRows(db, [{ id: itemId, instruction: 'Something else' }], 'flamingo').get(itemId)!;
    expect(elsewhere.instruction).toEqual([{ text: 'Something else', match: false }]);
    expect(elsewhere.elsewhere).toEqual([{ label: 'current', segments: highlightSegments('Paint a pink flamingo', 'flamingo') }]);
  });

  it('items imported after the build are found by the scan until the builder reaches them', async () => {
    await buildSearchIndex(db);
    addItems(db, datasetId, 200, 99);
    expect(searchStatus(db)).toMatchObject({ ready: false, total: 3212, indexed: 3012 });
    expect(selected(db, { datasetId, search: 'zurich snow' })).toEqual(reference(db, datasetId, 'zurich snow'));
    expect(allPages(db, listFilterSchema.parse({ datasetId, search: 'snow' }), 50).length).toBe(reference(db, datasetId, 'snow').length);
    await buildSearchIndex(db);
    expect(searchStatus(db).ready).toBe(true);
    expect(selected(db, { datasetId, search: 'zurich snow' })).toEqual(reference(db, datasetId, 'zurich snow'));
  });
});

describe('the filter term', () => {
  it('round-trips through the URL and the --search flag, and runs in every consumer of filterSql', () => {
    const filter = listFilterSchema.parse({ datasetId: 3, search: 'remove the "person"*' });
    const back = listFilterSchema.parse(filterInputFromParams(new URLSearchParams(filterToParams(filter).toString())));
    expect(back.search).toBe('remove the "person"*');
    expect(filterToParams(filter).get('q')).toBe('remove the "person"*');
    expect(filterInputFromFlags({ search: 'red car' })).toEqual({ search: 'red car' });
    const { db } = tempDb();
    expect(() => filterSql({ datasetId: 1, search: 'sky OR car' })).toThrow(/operators/);
    expect(() => db.$client.prepare(`SELECT count(*) FROM items WHERE ${filterSql({ datasetId: 1, search: 'x' }).where}`)).not.toThrow();
  });
});
