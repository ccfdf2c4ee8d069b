import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { listFilterSchema } from '@/lib/filter/filter';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { setReviewSettings } from '@/lib/review/gold';
import { claimItems } from '@/lib/review/queue';
import { recordVerdict } from '@/lib/review/verdicts';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { DECIDE_MAX } from './limits';
import { DECIDE_CHUNK, decideSelection } from './decide';

let db: Db;
let datasetId: number;

beforeEach(async () => {
  db = tempDb().db;
  datasetId = (await importGptEdit(db, SAMPLES_DIR)).datasetId;
});
afterEach(cleanupTemp);

const one = (sql: string, ...params: unknown[]) =>
  db.$client
    .prepare(sql)
    .pluck()
    .get(...params) as number;
const counted = (status: string) =>
  one('SELECT coalesce(sum(n), 0) FROM item_counts WHERE dataset_id = ? AND status = ?', datasetId, status);
const firstIds = (n: number) => db.$client.prepare('SELECT id FROM items ORDER BY id LIMIT ?').pluck().all(n) as number[];

describe('a lead decides a selection', () => {
  it('records one adjudication verdict per item, by the lead, on its current version, and updates statuses and counts', () => {
    const ids = firstIds(4);
    const answer = decideSelection(db, 'lead-1', listFilterSchema.parse({ datasetId, ids }), 'reject', 4);
    expect(answer).toEqual({ decided: 4, unchanged: 0 });
    const rows = db.$client
      .prepare(
        `SELECT v.item_id AS itemId, v.reviewer, v.kind, v.decision, v.candidate_id = i.current_candidate_id AS sameCandidate,
                v.instruction_version_id = i.current_instruction_id AS sameInstruction, i.status
         FROM verdicts v JOIN items i ON i.id = v.item_id ORDER BY v.item_id`,
      )
      .all();
    expect(rows).toEqual(
      ids.map((itemId) => ({
        itemId,
        reviewer: 'lead-1',
        kind: 'adjudication',
        decision: 'reject',
        sameCandidate: 1,
        sameInstruction: 1,
        status: 'rejected',
      })),
    );
    expect(counted('rejected')).toBe(4);
    expect(counted('pending')).toBe(8);
  });

  it('is idempotent: the same decision again writes nothing; the other decision replaces it', () => {
    const filter = listFilterSchema.parse({ datasetId, family: 'omniedit' });
    const n = one("SELECT count(*) FROM items WHERE family = 'omniedit'");
    expect(decideSelection(db, 'lead-1', filter, 'accept', n)).toEqual({ decided: n, unchanged: 0 });
    const verdicts = one('SELECT count(*) FROM verdicts');
    expect(decideSelection(db, 'lead-1', filter, 'accept', n)).toEqual({ decided: 0, unchanged: n });
    expect(one('SELECT count(*) FROM verdicts')).toBe(verdicts);
    expect(decideSelection(db, 'lead-2', filter, 'reject', n)).toEqual({ decided: n, unchanged: 0 });
    expect(counted('rejected')).toBe(n);
    expect(counted('accepted')).toBe(0);
  });

  it('wins over review verdicts (a disputed item becomes decided)', () => {
    setReviewSettings(db, datasetId, { overlap: 2 });
    const filter = { datasetId };
    const [id] = claimItems(db, filter, { holder: 'a:1', reviewer: 'a' }, 1);
    recordVerdict(db, { holder: 'a:1', reviewer: 'a' }, { itemId: id, decision: 'accept' });
    claimItems(db, filter, { holder: 'b:1', reviewer: 'b' }, 1);
    recordVerdict(db, { holder: 'b:1', reviewer: 'b' }, { itemId: id, decision: 'reject' });
    expect(one('SELECT status = ? FROM items WHERE id = ?', 'disputed', id)).toBe(1);
    decideSelection(db, 'lead-1', listFilterSchema.parse({ datasetId, ids: [id] }), 'accept', 1);
    expect(one('SELECT status = ? FROM items WHERE id = ?', 'accepted', id)).toBe(1);
  });

  it('refuses when the selection no longer holds the confirmed count, and writes nothing', () => {
    const filter = listFilterSchema.parse({ datasetId, status: 'pending' });
    expect(() => decideSelection(db, 'lead-1', filter, 'accept', 11)).toThrow(/now holds 12 items, not 11/);
    expect(one('SELECT count(*) FROM verdicts')).toBe(0);
  });

  it('refuses ids that are not items of the dataset (another dataset, or none)', async () => {
    const other = (await importGptEdit(db, SAMPLES_DIR, { dataset: 'other' })).datasetId;
    const foreign = db.$client.prepare('SELECT id FROM items WHERE dataset_id = ? LIMIT 2').pluck().all(other) as number[];
    const filter = listFilterSchema.parse({ datasetId, ids: [...firstIds(1), ...foreign, 99_999] });
    expect(() => decideSelection(db, 'lead-1', filter, 'accept', 4)).toThrow('3 of the 4 selected ids are not items of this dataset');
    expect(one('SELECT count(*) FROM verdicts')).toBe(0);
  });

  it('decides a selection larger than one transaction, and refuses one over DECIDE_MAX items', () => {
    const copy = (n: number, from: number) =>
      db.$client
        .prepare(
          `WITH RECURSIVE seq(k) AS (SELECT ? UNION ALL SELECT k + 1 FROM seq WHERE k + 1 < ?)
           INSERT INTO items (dataset_id, external_id, family, task, instruction_type, source_root_id, source_path,
             source_width, source_height, metadata, status, current_instruction_id, current_candidate_id, import_run_id)
           SELECT i.dataset_id, 'bulk-' || s.k, 'bulk', 'x', i.instruction_type, i.source_root_id, i.source_path, i.source_width,
             i.source_height, i.metadata, 'pending', i.current_instruction_id, i.current_candidate_id, i.import_run_id
           FROM seq s CROSS JOIN (SELECT * FROM items WHERE dataset_id = ? ORDER BY id LIMIT 1) i`,
        )
        .run(from, from + n, datasetId);
    const n = DECIDE_CHUNK * 2 + 7;
    copy(n, 0);
    const filter = listFilterSchema.parse({ datasetId, family: 'bulk' });
    expect(decideSelection(db, 'lead-1', filter, 'accept', n)).toEqual({ decided: n, unchanged: 0 });
    expect(one("SELECT count(*) FROM items WHERE family = 'bulk' AND status = 'accepted'")).toBe(n);
    copy(DECIDE_MAX + 1 - n, n);
    expect(() => decideSelection(db, 'lead-1', filter, 'reject', DECIDE_MAX)).toThrow(
      'a bulk decision covers at most 10,000 items: narrow the filter',
    );
    expect(one("SELECT count(*) FROM verdicts WHERE decision = 'reject'")).toBe(0);
  });
});
