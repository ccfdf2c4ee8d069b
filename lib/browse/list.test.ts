import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '@/db';
import { listFilterSchema } from '@/lib/filter/filter';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { decidedVersion } from '@/lib/review/decided';
import { decideSelection } from './decide';
import { browseFilter, browseItems, countMatching, decodeCursor } from './list';

let db: Db;
let dir: string;
let datasetId: number;

beforeEach(async () => {
  ({ db, dir } = tempDb());
  datasetId = (await importGptEdit(db, SAMPLES_DIR)).datasetId;
});
afterEach(cleanupTemp);

/** A copy of a sample item under another family/task (its versions and candidate shared: the listing only reads them). */
function addItem(writer: Db, family: string, task: string, n: number): number {
  return Number(
    writer.$client
      .prepare(
        `INSERT INTO items (dataset_id, external_id, family, task, instruction_type, source_root_id, source_path,
           source_width, source_height, metadata, status, current_instruction_id, current_candidate_id, import_run_id)
         SELECT dataset_id, ? , ?, ?, instruction_type, source_root_id, source_path, source_width, source_height, metadata,
           'pending', current_instruction_id, current_candidate_id, import_run_id
         FROM items WHERE dataset_id = ? ORDER BY id LIMIT 1`,
      )
      .run(`copy-${family}-${task}-${n}`, family, task, datasetId).lastInsertRowid,
  );
}

const all = (filter = { datasetId }) => {
  const rows = [];
  let after: string | undefined;
  do {
    const page = browseItems(db, listFilterSchema.parse(filter), after, 5, true);
    rows.push(...page.rows);
    after = page.next;
  } while (after);
  return rows;
};

describe('the browser listing', () => {
  it('pages through every item once, in (family, task, id) order, with the thumbnail candidate', () => {
    for (let i = 0; i < 40; i++) addItem(db, ['aa', 'mm', 'zz'][i % 3], `t${i % 4}`, i);
    const rows = all();
    const total = db.$client.prepare('SELECT count(*) FROM items').pluck().get() as number;
    expect(rows.map((r) => r.id).sort((a, b) => a - b)).toEqual(
      (db.$client.prepare('SELECT id FROM items ORDER BY id').pluck().all() as number[]).sort((a, b) => a - b),
    );
    expect(rows).toHaveLength(total);
    const keys = rows.map((r) => [r.family, r.task, r.id] as const);
    const sorted = [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[2] - b[2]));
    expect(keys).toEqual(sorted);
    // Nothing is decided here: each thumbnail is the current edit (decided items: the next test).
    const current = db.$client.prepare('SELECT current_candidate_id FROM items WHERE id = ?').pluck();
    for (const row of rows) expect(row.candidateId).toBe(current.get(row.id));
  });

  it('loses and repeats nothing while another connection inserts items before and after the cursor', () => {
    for (let i = 0; i < 30; i++) addItem(db, ['bb', 'nn'][i % 2], 'x', i);
    const before = new Set(db.$client.prepare('SELECT id FROM items').pluck().all() as number[]);
    // Another writer (a second connection to the same file, as an import would be).
    const other = openDb(path.join(dir, 'loupe.db'));
    const seen: number[] = [];
    let after: string | undefined;
    let n = 0;
    try {
      do {
        const page = browseItems(db, { datasetId }, after, 4, true);
        seen.push(...page.rows.map((r) => r.id));
        after = page.next;
        // Each page: one item sorting first (before the cursor), one last (after it), one in the middle.
        addItem(other, 'aa', 'first', n);
        addItem(other, 'zz', 'last', n);
        addItem(other, 'bb', 'x', 1000 + n++);
      } while (after);
    } finally {
      other.$client.close();
    }
    expect(new Set(seen).size).toBe(seen.length); // no duplicates
    for (const id of before) expect(seen).toContain(id); // no gaps among the items that were there
  });

  it('shows a decided item with the edited image its verdict chose, not a newer, undecided one', () => {
    const itemId = db.$client.prepare('SELECT min(id) FROM items WHERE dataset_id = ?').pluck().get(datasetId) as number;
    const decidedCandidate = db.$client.prepare('SELECT current_candidate_id FROM items WHERE id = ?').pluck().get(itemId) as number;
    decideSelection(db, 'lead-1', listFilterSchema.parse({ datasetId, ids: [itemId] }), 'accept', 1);
    // A regeneration made current after the decision, as a finished job leaves it.
    const regenerated = Number(
      db.$client
        .prepare(
          `INSERT INTO candidates (item_id, origin, root_id, path, width, height)
           SELECT item_id, 'regenerated', root_id, path, width, height FROM candidates WHERE id = ?`,
        )
        .run(decidedCandidate).lastInsertRowid,
    );
    db.$client.prepare('UPDATE items SET current_candidate_id = ? WHERE id = ?').run(regenerated, itemId);
    const lead = all().find((row) => row.id === itemId)!;
    expect(lead.decided).toEqual({ newerCandidate: true, newerInstruction: false });
    expect(lead.candidateId).toBe(decidedVersion(db, itemId)!.candidateId);
    expect(lead.candidateId).toBe(decidedCandidate);
    expect(lead).not.toHaveProperty('decidedCandidateId');
    // Others see the item as it is now (no verdicts, so no decided version).
    const other = browseItems(db, { datasetId, ids: [itemId] }, undefined, 5, false).rows[0];
    expect(other.candidateId).toBe(regenerated);
  });

  it('hides status from non-leads and ignores their lead-only terms', () => {
    const lead = browseItems(db, { datasetId }, undefined, 3, true);
    expect(lead.rows[0].status).toBe('pending');
    const other = browseItems(db, { datasetId }, undefined, 3, false);
    expect(other.rows[0]).not.toHaveProperty('status');
    expect(browseFilter({ status: 'accepted', reviewer: 'x' }, datasetId, false).filter).toEqual({ datasetId });
    expect(browseFilter({ status: 'accepted' }, datasetId, true).filter).toEqual({ datasetId, status: 'accepted' });
  });

  it('names the term of a bad value', () => {
    expect(browseFilter({ signalMin: 'abc', signal: 'ssim' }, datasetId, true).issues).toEqual([
      { term: 'signalMin', message: expect.stringMatching(/number/i) },
    ]);
    expect(browseFilter({ ids: '1,zz' }, datasetId, true).issues).toEqual([{ term: 'ids', message: 'not an item id: zz' }]);
  });

  it('an explicit selection lists only its items; an unreadable cursor is the first page', () => {
    const ids = (db.$client.prepare('SELECT id FROM items ORDER BY id LIMIT 3').pluck().all() as number[]).reverse();
    const rows = all({ datasetId, ids } as never);
    expect(rows.map((r) => r.id).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    expect(decodeCursor('not-base64-json')).toBeUndefined();
    expect(browseItems(db, { datasetId }, 'garbage', 3, true).rows).toEqual(browseItems(db, { datasetId }, undefined, 3, true).rows);
  });

  it('counts from item_counts for indexed terms and over the items for the others, the same as the listing', () => {
    const filters = [
      { datasetId },
      { datasetId, family: 'omniedit' },
      { datasetId, status: 'pending' as const },
      { datasetId, text: 'the' },
      { datasetId, ids: [1, 2, 99999] },
    ];
    for (const filter of filters) expect(countMatching(db, listFilterSchema.parse(filter))).toBe(all(filter as never).length);
    expect(countMatching(db, { datasetId })).toBe(12);
  });

  it('with a search, marks where its word is in each row instruction', () => {
    const instruction = browseItems(db, { datasetId }, undefined, 1, true).rows[0].instruction;
    const word = instruction.split(/\W+/).find((w) => w.length > 3)!;
    const rows = all({ datasetId, search: word.toUpperCase() } as never);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const { instruction, elsewhere } = row.highlight!;
      expect(instruction.map((segment) => segment.text).join('')).toBe(row.instruction);
      const marked = [...instruction, ...elsewhere.flatMap((e) => e.segments)].filter((segment) => segment.match);
      expect(marked.length).toBeGreaterThan(0);
      for (const segment of marked) expect(segment.text.toLowerCase()).toBe(word.toLowerCase());
    }
    expect(browseItems(db, { datasetId }, undefined, 3, true).rows[0]).not.toHaveProperty('highlight');
  });
});
