import { afterEach, describe, expect, it } from 'vitest';
import { ensureDataset, ensureImageRoot } from '@/lib/datasets';
import { cleanupTemp, tempDb, tempDir } from '@/lib/test/factories';
import { BatchWriter, type NewItem } from './batch-writer';

afterEach(cleanupTemp);

function newItem(rootId: number, n: number, variant = ''): NewItem {
  const id = `rec-${String(n).padStart(4, '0')}`;
  const rewrite = n % 3 === 0; // a third of the records carry an original and a rewrite
  return {
    externalId: id,
    family: n % 2 ? 'omniedit' : 'hqedit',
    task: n % 5 ? 'addition' : 'style',
    instructionType: rewrite ? 'rewrite' : 'original',
    rootId,
    sourcePath: `input/${n}.png`,
    source: { width: 600, height: 400, format: 'png', fileId: `1:${n}` },
    outputPath: `output/${n}.png`,
    output: { width: 512, height: 512, format: 'png', fileId: `1:${n + 100_000}` },
    metadata: JSON.stringify({ id, variant }),
    instructions: rewrite
      ? [
          { kind: 'original', text: `original ${n}${variant}` },
          { kind: 'rewrite', text: `rewrite ${n}${variant}` },
        ]
      : [{ kind: 'original', text: `instruction ${n}${variant}` }],
  };
}

describe('BatchWriter', () => {
  it('writes batches of several statements: every item whole, a repeated id kept as first seen, counts exact', () => {
    const { db } = tempDb();
    const datasetId = ensureDataset(db, 'writer');
    const rootId = ensureImageRoot(db, tempDir());
    const runId = db.$client
      .prepare(`INSERT INTO import_runs (dataset_id, path, format) VALUES (?, '/x', 'test') RETURNING id`)
      .pluck()
      .get(datasetId) as number;
    const writer = new BatchWriter(db, datasetId, runId);

    // 300 records span several 64-row statements; ids repeat within a statement, across
    // statements and (second batch) across batches.
    const first = Array.from({ length: 300 }, (_, i) => newItem(rootId, i));
    first.splice(20, 0, newItem(rootId, 10, ' (again)')); // same statement as the first rec-0010
    first.splice(150, 0, newItem(rootId, 12, ' (again)')); // a later statement
    writer.write(first);
    const second = [newItem(rootId, 299, ' (again)'), ...Array.from({ length: 70 }, (_, i) => newItem(rootId, 300 + i))];
    writer.write(second);
    expect({ imported: writer.imported, alreadyPresent: writer.alreadyPresent }).toEqual({ imported: 370, alreadyPresent: 3 });

    const sqlite = db.$client;
    const one = (sql: string) => sqlite.prepare(sql).pluck().get();
    expect(one('SELECT count(*) FROM items')).toBe(370);
    expect(one(`SELECT count(*) FROM items WHERE metadata LIKE '%again%'`)).toBe(0); // the first one stands
    // No version or candidate of a record left out, and each item points at its own last version and candidate.
    expect(one('SELECT count(*) FROM instruction_versions')).toBe(370 + Math.ceil(370 / 3));
    expect(one(`SELECT count(*) FROM instruction_versions WHERE text LIKE '%again%'`)).toBe(0);
    expect(one('SELECT count(*) FROM candidates')).toBe(370);
    const wrong = sqlite
      .prepare(
        `SELECT i.external_id FROM items i
         LEFT JOIN instruction_versions v ON v.id = i.current_instruction_id
         LEFT JOIN candidates c ON c.id = i.current_candidate_id
         WHERE v.item_id IS NOT i.id OR c.item_id IS NOT i.id
           OR v.id <> (SELECT max(id) FROM instruction_versions WHERE item_id = i.id)
           OR v.text NOT LIKE '%' || (CAST(substr(i.external_id, 5) AS INTEGER)) OR c.path <> 'output/' || CAST(substr(i.external_id, 5) AS INTEGER) || '.png'
           OR v.created_at <> i.created_at OR c.created_at <> i.created_at`,
      )
      .pluck()
      .all();
    expect(wrong).toEqual([]);
    expect(one(`SELECT count(*) FROM instruction_versions WHERE kind = 'original' AND text LIKE 'original %'`)).toBe(Math.ceil(370 / 3));
    // item_counts agrees with the items themselves.
    expect(
      sqlite
        .prepare(
          `SELECT family, task, instruction_type, n FROM item_counts WHERE dataset_id = ?
           EXCEPT SELECT family, task, instruction_type, count(*) FROM items GROUP BY 1, 2, 3`,
        )
        .all(datasetId),
    ).toEqual([]);
    expect(one('SELECT sum(n) FROM item_counts')).toBe(370);
    expect(writer.existing(['rec-0000', 'rec-0369', 'rec-9999'])).toEqual(new Set(['rec-0000', 'rec-0369']));
  });
});
