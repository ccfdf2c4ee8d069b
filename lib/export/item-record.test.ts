import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { addHumanInstruction } from '@/lib/review/items';
import { adjudicate, recordVerdict } from '@/lib/review/verdicts';
import { setReviewSettings } from '@/lib/review/gold';
import { itemId, reviewedSamples } from '@/lib/test/export';
import { cleanupTemp } from '@/lib/test/factories';
import type { ImageRef } from './images';
import { itemRecord, recordLine } from './item-record';
import { ItemResolver, itemRow, listTaskGroups, taskPages, type ExportItem } from './selection';

afterEach(cleanupTemp);

/**
 * jsonl --images none writes its records from taskPages `lines` (SQLite's JSON) with recordLine;
 * every other path builds them with itemRecord from an ExportItem. The two must be the same record,
 * of the same version (the one the deciding verdict chose), byte for byte where Loupe stored the record.
 */

const refs: { source: ImageRef; edited: ImageRef } = {
  source: { root: '/store "a"', path: 'ab/src.png', sha256: 'a'.repeat(64) },
  edited: { root: '/store "a"', path: 'cd/edit.png', sha256: 'b'.repeat(64) },
};

/** Both ways for every item: [line, JSON of itemRecord over the per-item lookups, over the joined page]. */
function bothWays(db: Db): { id: string; line: string | null; record: string; joined: string }[] {
  const out: { id: string; line: string | null; record: string; joined: string }[] = [];
  const resolver = new ItemResolver(db, false);
  const json = (item: ExportItem | { problem: string }) =>
    'problem' in item ? item.problem : JSON.stringify(itemRecord(item, { source_ref: refs.source, edited_ref: refs.edited }));
  for (const group of listTaskGroups(db, { status: 'all' })) {
    const joined = [...taskPages(db, group, 'all', 'joined')].flat();
    const lines = [...taskPages(db, group, 'all', 'lines')].flat();
    expect(lines.map((l) => l.id)).toEqual(joined.map((r) => r.id));
    lines.forEach((line, i) => {
      out.push({
        id: line.external_id,
        line: line.head === null ? null : recordLine(line, refs),
        record: json(resolver.resolve(itemRow(db, line.id)!, group)),
        joined: json(resolver.resolve(joined[i], group)),
      });
    });
  }
  return out;
}

describe('recordLine (SQLite-written records) and itemRecord agree', () => {
  it('on every reviewed sample: accepts, a reject with reasons, rewrites, human edits, undone verdicts, pending', async () => {
    const { db } = await reviewedSamples();
    const rows = bothWays(db);
    expect(rows).toHaveLength(12);
    for (const row of rows) {
      expect(row.line, row.id).toBe(row.record);
      expect(row.joined, row.id).toBe(row.record);
    }
    // The sample carries what must match: a chosen human edit with instruction_original, a reject's reasons.
    expect(rows.map((r) => r.record).join('\n')).toContain('"instruction_original":');
    expect(rows.map((r) => r.record).join('\n')).toContain('"reasons":["artifacts"]');
  });

  it('after the decision: a newer regeneration and a newer human edit are not written; the decided version is', async () => {
    const { db } = await reviewedSamples();
    const id = itemId(db, 'hqedit_edit_00000001'); // accepted on its dataset edit and original instruction
    const regeneration = Number(
      db.$client
        .prepare(
          `INSERT INTO candidates (item_id, origin, root_id, path, width, height, simulated, provenance)
           SELECT item_id, 'regenerated', root_id, path, width, height, 1, '{"model":"x"}' FROM candidates WHERE item_id = ? AND origin = 'dataset'`,
        )
        .run(id).lastInsertRowid,
    );
    db.$client.prepare('UPDATE items SET current_candidate_id = ? WHERE id = ?').run(regeneration, id);
    addHumanInstruction(db, id, 'A newer wording nobody decided on.', 'bob');
    const row = bothWays(db).find((r) => r.id === 'hqedit_edit_00000001')!;
    expect(row.line).toBe(row.record);
    expect(row.joined).toBe(row.record);
    const record = JSON.parse(row.line!);
    expect(record.instruction).not.toBe('A newer wording nobody decided on.');
    expect(record.instruction_type).toBe('original');
    expect(record.candidate).toEqual({ origin: 'dataset', simulated: false, provenance: expect.any(Object) });
  });

  it('an adjudication with a comment, a simulated candidate, odd text and stored JSON that is not what it should be', async () => {
    const { db } = await reviewedSamples();
    // A dispute (overlap 2: an accept and a reject) that a lead adjudicates, with a comment.
    const id = itemId(db, 'ultraedit_change_color_00000011');
    setReviewSettings(db, db.$client.prepare<[number], number>('SELECT dataset_id FROM items WHERE id = ?').pluck().get(id)!, {
      overlap: 2,
    });
    recordVerdict(db, { holder: 'tab-1', reviewer: 'alice' }, { itemId: id, decision: 'accept' });
    recordVerdict(db, { holder: 'tab-2', reviewer: 'bob' }, { itemId: id, decision: 'reject', reasons: ['artifacts'] });
    adjudicate(db, 'lee', { itemId: id, decision: 'accept', comment: 'fine "after all"\n\u2028 ok' });
    const odd = 'q"\\ \n\t\b\f\r \x01\x1f\x7f \u2028 é 😀 </script>';
    addHumanInstruction(db, itemId(db, 'hqedit_edit_00000001'), odd, 'alice');
    addHumanInstruction(db, itemId(db, 'omniedit_removal_00000012'), odd, 'alice'); // pending: its current version is written
    recordVerdict(
      db,
      { holder: 'tab-3', reviewer: 'bob' },
      { itemId: itemId(db, 'hqedit_generate_00000003'), decision: 'reject', reasons: [] },
    );
    recordVerdict(
      db,
      { holder: 'tab-4', reviewer: 'carol' },
      { itemId: itemId(db, 'hqedit_generate_00000003'), decision: 'reject', reasons: [] },
    );
    db.$client.prepare(`UPDATE candidates SET simulated = 1, provenance = 'not json' WHERE item_id = ?`).run(id);
    db.$client.prepare(`UPDATE verdicts SET reasons = '{bad' WHERE item_id = ?`).run(itemId(db, 'hqedit_generate_00000003'));
    // A stored record that is not an object (one that is not JSON cannot be stored): the general path writes it.
    db.$client.prepare(`UPDATE items SET metadata = '[1, 2]' WHERE id = ?`).run(itemId(db, 'omniedit_env_00000005'));
    // Stored by hand, not by JSON.stringify: the same record, though not the same bytes.
    db.$client
      .prepare(`UPDATE items SET metadata = ? WHERE id = ?`)
      .run('{ "b": 1.0, "2": "two", "id": "x", "nested": {"k": [1, 2.5e3]} }', itemId(db, 'ultraedit_add_00000010'));

    const rows = bothWays(db);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const row of rows) {
      expect(row.joined, row.id).toBe(row.record);
      if (row.id === 'omniedit_env_00000005') expect(row.line, row.id).toBeNull();
      else if (row.id === 'ultraedit_add_00000010') expect(JSON.parse(row.line!)).toEqual(JSON.parse(row.record));
      else expect(row.line, row.id).toBe(row.record);
    }
    expect(JSON.parse(byId.get('ultraedit_change_color_00000011')!.line!)).toMatchObject({
      verdict: { decision: 'accept', reviewer: 'lee', comment: 'fine "after all"\n\u2028 ok' },
      candidate: { simulated: true, provenance: {} },
    });
    // A human edit made after the accept is not what is written; the rejected item's unreadable reasons are [].
    expect(JSON.parse(byId.get('hqedit_edit_00000001')!.line!).instruction).not.toBe(odd);
    expect(JSON.parse(byId.get('omniedit_removal_00000012')!.line!)).toMatchObject({
      instruction: odd,
      instruction_type: 'rewrite',
      verdict: null,
    });
    expect(JSON.parse(byId.get('hqedit_generate_00000003')!.line!)).toMatchObject({ verdict: { decision: 'reject', reasons: [] } });
  });
});
