import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { writeTransaction } from '@/db/transaction';
import type { ListFilter } from '@/lib/filter/filter';
import { DECIDE_MAX } from './limits';
import { LoupeError } from '@/lib/errors';
import { listItems, type ItemCursor } from '@/lib/review/items';
import { deriveStatus } from '@/lib/review/verdicts';

/** Items per write transaction: the write lock is never held for long (reviewers keep working). */
export const DECIDE_CHUNK = 500;

export type DecideAnswer = {
  /** Items that got the lead's verdict now. */
  decided: number;
  /** Items whose latest lead decision already was this one (nothing written). */
  unchanged: number;
};

const LIVE = 'NOT EXISTS (SELECT 1 FROM verdicts u WHERE u.undoes_verdict_id = v.id)';

/** Ids of the explicit list that are not items of the dataset (forged, or from another dataset). */
function foreignIds(db: Db, datasetId: number, ids: number[]): number {
  const inside = statement<[number, string], number>(
    db,
    'SELECT count(*) FROM items WHERE dataset_id = ? AND id IN (SELECT value FROM json_each(?))',
  )
    .pluck()
    .get(datasetId, JSON.stringify(ids))!;
  return ids.length - inside;
}

/** The selection's item ids in keyset order, refused when there are more than `max`. */
function selectionIds(db: Db, filter: ListFilter, max: number): number[] {
  const ids: number[] = [];
  let cursor: ItemCursor | undefined;
  do {
    const page = listItems(db, { ...filter, sort: undefined }, cursor, 1000);
    for (const row of page.rows) ids.push(row.id);
    if (ids.length > max) {
      throw new LoupeError('invalid', `a bulk decision covers at most ${max.toLocaleString('en-US')} items: narrow the filter`);
    }
    cursor = page.next;
  } while (cursor);
  return ids;
}

/**
 * A lead decides a selection: each item gets the lead's adjudication verdict (the kind a lead's
 * decision is in the data model: it wins over review verdicts, and a later one replaces it) on its
 * current edited image and instruction, and its status is derived again. Refused unless the
 * selection holds exactly `count` items (what the confirmation named) and every listed id is an
 * item of the dataset. Items whose latest lead decision already is this one are left as they are,
 * so sending the same decision twice writes nothing. Written in IMMEDIATE transactions of
 * DECIDE_CHUNK items.
 */
export function decideSelection(
  db: Db,
  lead: string,
  filter: ListFilter,
  decision: 'accept' | 'reject',
  count: number,
  now = Date.now(),
): DecideAnswer {
  if (filter.ids) {
    const foreign = foreignIds(db, filter.datasetId, filter.ids);
    if (foreign > 0) throw new LoupeError('invalid', `${foreign} of the ${filter.ids.length} selected ids are not items of this dataset`);
  }
  const ids = selectionIds(db, filter, DECIDE_MAX);
  if (ids.length !== count) {
    throw new LoupeError('conflict', `the selection now holds ${ids.length} items, not ${count}: look again and confirm`);
  }
  const item = statement<[number], { candidateId: number; instructionId: number; overlap: number }>(
    db,
    `SELECT i.current_candidate_id AS candidateId, i.current_instruction_id AS instructionId, d.overlap
     FROM items i JOIN datasets d ON d.id = i.dataset_id WHERE i.id = ?`,
  );
  const latestLead = statement<[number], string>(
    db,
    `SELECT decision FROM verdicts v WHERE item_id = ? AND kind = 'adjudication' AND decision IN ('accept', 'reject') AND ${LIVE}
     ORDER BY id DESC LIMIT 1`,
  ).pluck();
  const insert = statement(
    db,
    `INSERT INTO verdicts (item_id, candidate_id, instruction_version_id, reviewer, decision, reasons, comment, kind, created_at)
     VALUES (?, ?, ?, ?, ?, '[]', 'decided in bulk on the dataset page', 'adjudication', ?)`,
  );
  const setStatus = statement(db, 'UPDATE items SET status = ? WHERE id = ?');
  let decided = 0;
  for (let start = 0; start < ids.length; start += DECIDE_CHUNK) {
    writeTransaction(db, () => {
      for (const id of ids.slice(start, start + DECIDE_CHUNK)) {
        if (latestLead.get(id) === decision) continue;
        const state = item.get(id);
        if (!state) continue; // gone since it was listed
        insert.run(id, state.candidateId, state.instructionId, lead, decision, now);
        setStatus.run(deriveStatus(db, id, state.overlap), id);
        decided++;
      }
    });
  }
  return { decided, unchanged: ids.length - decided };
}
