import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { listTaskGroups, liveVerdict, taskPages, type ExportSelection, type ItemRow } from '../export/selection';
import { importGptEdit } from '../import/import-gpt-edit';
import { listFilterSchema, type ListFilter } from './filter';
import { addHumanInstruction, listItems, listItemsQuery, type ItemCursor } from '../review/items';
import { recordVerdict, undoLastVerdict } from '../review/verdicts';

let db: Db;
let datasetId: number;
let ids: number[];

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-10T12:00:00Z');
const alice = { holder: 'tab-a', reviewer: 'alice' };
const bob = { holder: 'tab-b', reviewer: 'bob' };
const carol = { holder: 'tab-a', reviewer: 'carol' };

beforeEach(async () => {
  db = tempDb().db;
  datasetId = (await importGptEdit(db, SAMPLES_DIR)).datasetId;
  ids = db.$client.prepare('SELECT id FROM items ORDER BY family, task, id').pluck().all() as number[];
  // Scores as an importer keeps them: in the metadata JSON. Ties (id % 4) test the keyset's
  // tie-break; the last item has no o_score at all.
  const set = db.$client.prepare(`UPDATE items SET metadata = json_set(metadata, '$.o_score', ?, '$.ssim', ?) WHERE id = ?`);
  ids.slice(0, -1).forEach((id, i) => set.run((i % 4) * 1.5, i / 100, id));

  recordVerdict(db, alice, { itemId: ids[0], decision: 'accept' }, T0);
  recordVerdict(db, bob, { itemId: ids[1], decision: 'reject', reasons: [] }, T0 + 5 * DAY);
  // Alice's accept is undone; Carol's later reject is the live verdict.
  recordVerdict(db, alice, { itemId: ids[2], decision: 'accept' }, T0 + 10 * DAY);
  undoLastVerdict(db, alice, T0 + 10 * DAY + 1);
  recordVerdict(db, carol, { itemId: ids[2], decision: 'reject', reasons: [] }, T0 + 20 * DAY);
  recordVerdict(db, alice, { itemId: ids[5], decision: 'accept' }, T0 + 30 * DAY);

  addHumanInstruction(db, ids[3], 'Paint ZEBRA stripes on the wall.', 'alice');
  addHumanInstruction(db, ids[7], 'Make it a zebra crossing', 'bob');
  // A regenerated candidate, current for ids[4].
  const c = db.$client
    .prepare(
      `INSERT INTO candidates (item_id, origin, root_id, path, width, height)
       SELECT id, 'regenerated', source_root_id, 'regen/x.png', source_width, source_height FROM items WHERE id = ?`,
    )
    .run(ids[4]).lastInsertRowid;
  db.$client.prepare('UPDATE items SET current_candidate_id = ? WHERE id = ?').run(c, ids[4]);
});
afterEach(cleanupTemp);

/** The filter computed in JS from whole rows: what the SQL must agree with. */
function oracle(filter: ListFilter): number[] {
  const rows = db.$client.prepare('SELECT * FROM items ORDER BY family, task, id').all() as (ItemRow & {
    family: string;
    task: string;
    instruction_type: string;
  })[];
  return rows
    .filter((row) => {
      if (filter.status && row.status !== filter.status) return false;
      if (filter.family && row.family !== filter.family) return false;
      if (filter.task && row.task !== filter.task) return false;
      if (filter.instructionType && row.instruction_type !== filter.instructionType) return false;
      const verdict = liveVerdict(db, row);
      if (filter.reviewer !== undefined && verdict?.reviewer !== filter.reviewer) return false;
      if (filter.from !== undefined && !(verdict && verdict.created_at >= filter.from)) return false;
      if (filter.to !== undefined && !(verdict && verdict.created_at <= filter.to)) return false;
      if (filter.text !== undefined) {
        const texts = db.$client.prepare('SELECT text FROM instruction_versions WHERE item_id = ?').pluck().all(row.id) as string[];
        if (!texts.some((t) => t.toLowerCase().includes(filter.text!.toLowerCase()))) return false;
      }
      if (filter.origin !== undefined) {
        const origin = db.$client.prepare('SELECT origin FROM candidates WHERE id = ?').pluck().get(row.current_candidate_id);
        if (origin !== filter.origin) return false;
      }
      if (filter.score) {
        const value = JSON.parse(row.metadata)[filter.score] as number | undefined;
        if (filter.scoreMin !== undefined && !(value !== undefined && value >= filter.scoreMin)) return false;
        if (filter.scoreMax !== undefined && !(value !== undefined && value <= filter.scoreMax)) return false;
      }
      return true;
    })
    .map((row) => row.id);
}

function listAll(filter: ListFilter, pageSize = 3): number[] {
  const seen: number[] = [];
  let cursor: ItemCursor | undefined;
  do {
    const page = listItems(db, filter, cursor, pageSize);
    seen.push(...page.rows.map((r) => r.id));
    cursor = page.next;
  } while (cursor);
  return seen;
}

function exportIds(selection: ExportSelection): number[] {
  return listTaskGroups(db, selection).flatMap((group) =>
    [...taskPages(db, group, selection.status ?? 'accepted')].flat().map((r) => r.id),
  );
}

const parse = (input: Record<string, unknown>) => listFilterSchema.parse({ datasetId, ...input });

const CASES: Record<string, Record<string, unknown>> = {
  'reviewer alice': { reviewer: 'alice' },
  'reviewer bob': { reviewer: 'bob' },
  'reviewer of an undone verdict only': { reviewer: 'alice', status: 'rejected' },
  'reviewer carol': { reviewer: 'carol' },
  'from a date': { from: '2026-01-15' },
  'to a date (whole day)': { to: '2026-01-15' },
  'from-to in ms': { from: T0 + DAY, to: T0 + 25 * DAY },
  'text, any version, any case': { text: 'zebra' },
  'text of an imported instruction': { text: 'sky' },
  'short text': { text: 'ze' },
  'text with quotes': { text: '"zebra' },
  'origin regenerated': { origin: 'regenerated' },
  'origin dataset': { origin: 'dataset' },
  'score min': { score: 'o_score', scoreMin: 3 },
  'score range': { score: 'o_score', scoreMin: 1, scoreMax: 3 },
  'score max, another score': { score: 'ssim', scoreMax: 0.05 },
  'reviewer + dates + status': { reviewer: 'alice', from: '2026-01-01', to: '2026-01-31', status: 'accepted' },
  'text + family': { text: 'zebra', family: 'omniedit' },
  'origin + score': { origin: 'dataset', score: 'o_score', scoreMax: 1.5 },
  'instruction type': { instructionType: 'rewrite' },
  'instruction type + text': { instructionType: 'original', text: 'e' },
  everything: { reviewer: 'alice', from: T0 - DAY, text: 'e', origin: 'dataset', score: 'o_score', scoreMin: 0, status: 'accepted' },
};

describe('shared filter terms', () => {
  it('the fixture has what the cases need', () => {
    expect(oracle(parse({ reviewer: 'alice' }))).toEqual([ids[0], ids[5]]);
    expect(oracle(parse({ reviewer: 'carol' }))).toEqual([ids[2]]);
    expect(oracle(parse({ origin: 'regenerated' }))).toEqual([ids[4]]);
    expect(oracle(parse({ text: 'zebra' }))).toEqual([ids[3], ids[7]]);
  });

  for (const [name, input] of Object.entries(CASES)) {
    it(`${name}: listItems, paged, and the export selection give the oracle's items`, () => {
      const filter = parse(input);
      const expected = oracle(filter);
      expect(listAll(filter)).toEqual(expected);
      const { datasetId: _, status, ...rest } = filter;
      const fromExport = exportIds({ ...rest, datasetId, status: status ?? 'all' });
      expect(fromExport.sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
    });
  }

  it('finds a reviewer edit as soon as it is saved', () => {
    expect(listAll(parse({ text: 'flamingo' }))).toEqual([]);
    addHumanInstruction(db, ids[9], 'Add a pink Flamingo', 'bob');
    expect(listAll(parse({ text: 'FLAMINGO' }))).toEqual([ids[9]]);
  });

  it('rejects a score range without its score, a task without family and a bad date', () => {
    expect(listFilterSchema.safeParse({ datasetId, scoreMin: 1 }).success).toBe(false);
    expect(listFilterSchema.safeParse({ datasetId, sort: 'asc' }).success).toBe(false);
    expect(listFilterSchema.safeParse({ datasetId, task: 'style' }).success).toBe(false);
    expect(listFilterSchema.safeParse({ datasetId, from: 'yesterday-ish' }).success).toBe(false);
    expect(parse({ from: '2026-01-15', to: '2026-01-15' })).toMatchObject({
      from: Date.parse('2026-01-15T00:00:00Z'),
      to: Date.parse('2026-01-16T00:00:00Z') - 1,
    });
  });
});

describe('sorting by a score', () => {
  const byScore = (dir: 'asc' | 'desc', extra: Record<string, unknown> = {}) => {
    const filter = parse({ score: 'o_score', sort: dir, ...extra });
    const rows = db.$client
      .prepare(`SELECT id, json_extract(metadata, '$.o_score') AS s FROM items WHERE json_extract(metadata, '$.o_score') IS NOT NULL`)
      .all() as { id: number; s: number }[];
    const allowed = new Set(oracle(filter));
    const sorted = rows
      .filter((r) => allowed.has(r.id))
      .sort((a, b) => a.s - b.s || a.id - b.id)
      .map((r) => r.id);
    return { filter, expected: dir === 'asc' ? sorted : sorted.reverse() };
  };

  for (const dir of ['asc', 'desc'] as const) {
    for (const size of [1, 2, 5, 50]) {
      it(`${dir}, pages of ${size}: every item with the score exactly once, in (score, id) order`, () => {
        const { filter, expected } = byScore(dir);
        expect(expected).toHaveLength(ids.length - 1);
        expect(listAll(filter, size)).toEqual(expected);
      });
    }
    it(`${dir} with a range and a status`, () => {
      const { filter, expected } = byScore(dir, { scoreMin: 1.5, status: 'pending' });
      expect(expected.length).toBeGreaterThan(2);
      expect(listAll(filter, 2)).toEqual(expected);
    });
  }
});

describe('query plans', () => {
  const plan = (filter: ListFilter, cursor?: ItemCursor) => {
    const { sql, params } = listItemsQuery(filter, cursor, 50);
    return (db.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
  };

  for (const [name, filter] of Object.entries({
    asc: { score: 'o_score', sort: 'asc' },
    'desc after a cursor': { score: 'clip_sim_dir', sort: 'desc' },
    'with a range': { score: 'pq_score', sort: 'asc', scoreMin: 2, scoreMax: 5 },
    'with status and family': { score: 'o_score', sort: 'desc', status: 'pending', family: 'omniedit' },
  })) {
    it(`a score-sorted page (${name}) reads its expression index, no scan and no sort`, () => {
      const f = parse(filter);
      const first = plan(f).join('\n');
      const next = plan(f, { score: 3, id: 5 }).join('\n');
      expect(first).toContain(`USING INDEX items_score_${f.score} (dataset_id=?`);
      // A later page seeks to the cursor's score rather than reading the pages before it.
      expect(next).toMatch(new RegExp(`USING INDEX items_score_${f.score} \\(dataset_id=\\? AND <expr>[<>]`));
      const details = [first, next].join('\n').split('\n');
      expect(details.some((d) => /^SCAN items\b/.test(d) && !d.includes('INDEX'))).toBe(false);
      expect(details.some((d) => d.includes('TEMP B-TREE'))).toBe(false);
    });
  }

  it('a text search reads the instruction texts once (a list subquery) and probes items by id', () => {
    const details = plan(parse({ text: 'zebra' })).join('\n');
    // The texts are read by an uncorrelated list subquery (once per query), not per item.
    expect(details).toMatch(/LIST SUBQUERY \d+\nSCAN iv/);
    expect(details).not.toMatch(/CORRELATED[^\n]*\n[^\n]*\biv\b/);
    expect(details).not.toMatch(/^SCAN items$/m);
  });
});
