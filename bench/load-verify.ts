/**
 * After the run, with the server stopped: the database is read (read-only) to check that
 * every acknowledged verdict is stored as acknowledged, that no item got two review
 * verdicts, and that item_counts still matches the items.
 */
import Database from 'better-sqlite3';
import { HISTORY_PREFIX } from './load-db';
import type { AckedVerdict } from './load-reviewers';

export interface Verification {
  acknowledged: number;
  /** Acknowledged verdicts missing from the database or stored differently (item, reviewer, decision). */
  lostVerdicts: number;
  lostExamples: string[];
  /** Verdicts by the bench reviewers in the database (the run's copy starts with none). */
  verdictsInDb: number;
  /** Items the bench reviewers decided, per the database. */
  itemsDecidedInDb: number;
  /** Items with more than one accept/reject review verdict (overlap is 1: a double claim); the seeded history is left out. */
  itemsWithTwoVerdictsInDb: number;
  /** item_counts rows that differ from counting the dataset's items. */
  itemCountMismatches: number;
}

export function verifyDb(file: string, datasetId: number, acked: AckedVerdict[], reviewerPrefix: string): Verification {
  const db = new Database(file, { readonly: true });
  try {
    const byId = db.prepare<[number], { item_id: number; reviewer: string; decision: string }>(
      // Verdicts record the user id (lib/auth/actors.ts); the run knows its reviewers by username.
      'SELECT v.item_id, coalesce(u.username, v.reviewer) AS reviewer, v.decision FROM verdicts v LEFT JOIN users u ON u.id = v.reviewer WHERE v.id = ?',
    );
    let lostVerdicts = 0;
    const lostExamples: string[] = [];
    for (const v of acked) {
      const row = byId.get(v.verdictId);
      if (row && row.item_id === v.itemId && row.reviewer === v.reviewer && row.decision === v.decision) continue;
      lostVerdicts++;
      if (lostExamples.length < 5)
        lostExamples.push(`verdict ${v.verdictId} (item ${v.itemId}, ${v.reviewer}): ${row ? JSON.stringify(row) : 'missing'}`);
    }
    const like = `${reviewerPrefix}%`;
    const one = (sql: string, ...params: unknown[]) =>
      db
        .prepare(sql)
        .pluck()
        .get(...params) as number;
    const byBench = `(reviewer IN (SELECT id FROM users WHERE username LIKE @like) OR reviewer LIKE @like)`;
    const verdictsInDb = one(`SELECT count(*) FROM verdicts WHERE ${byBench}`, { like });
    const itemsDecidedInDb = one(
      `SELECT count(*) FROM items WHERE status != 'pending'
       AND id IN (SELECT item_id FROM verdicts WHERE ${byBench} AND decision IN ('accept', 'reject'))`,
      { like },
    );
    const itemsWithTwoVerdictsInDb = one(
      `SELECT count(*) FROM (SELECT item_id FROM verdicts WHERE kind = 'review' AND decision IN ('accept', 'reject')
       AND reviewer NOT LIKE ? GROUP BY item_id HAVING count(*) > 1)`,
      `${HISTORY_PREFIX}%`,
    );
    const itemCountMismatches = one(
      `WITH actual AS (
         SELECT family, task, instruction_type, status, count(*) AS n FROM items WHERE dataset_id = @datasetId
         GROUP BY family, task, instruction_type, status),
       stored AS (SELECT family, task, instruction_type, status, n FROM item_counts WHERE dataset_id = @datasetId AND n != 0)
       SELECT (SELECT count(*) FROM (SELECT * FROM actual EXCEPT SELECT * FROM stored))
            + (SELECT count(*) FROM (SELECT * FROM stored EXCEPT SELECT * FROM actual))`,
      { datasetId },
    );
    return {
      acknowledged: acked.length,
      lostVerdicts,
      lostExamples,
      verdictsInDb,
      itemsDecidedInDb,
      itemsWithTwoVerdictsInDb,
      itemCountMismatches,
    };
  } finally {
    db.close();
  }
}
