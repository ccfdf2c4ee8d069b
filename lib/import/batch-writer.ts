import type Database from 'better-sqlite3';
import type { Db } from '@/db';
import type { ImageInfo } from '../images/probe';
import type { InstructionKind } from '@/db/schema';

/** One triplet ready to store: checked, with its images' sizes known. */
export interface NewItem {
  externalId: string;
  family: string;
  task: string;
  instructionType: string;
  rootId: number;
  /** The edited image's root when it differs from the source's (e.g. one downloaded into the store). */
  outputRootId?: number;
  sourcePath: string;
  /** Size, type and file identity (`dev:ino`, recorded so serving can tell a swapped file). */
  source: ImageInfo;
  outputPath: string;
  output: ImageInfo;
  /** The whole source record, as read. */
  metadata: string;
  /** Instruction versions in creation order; the last one is current. */
  instructions: { kind: InstructionKind; text: string }[];
}

/**
 * Rows per INSERT statement: one call into SQLite binds, steps and answers for 64 rows
 * rather than one (BatchWriter alone: 3.2 s -> 2.9-3.0 s for 200k records, with the bound
 * creation time). 64 rows of 16 values stay far below SQLite's 32,766 parameters.
 */
const ROWS_PER_STATEMENT = 64;

/** `INSERT ... VALUES (row), (row), ... tail` for any number of rows, each count prepared once. */
class MultiRowInsert {
  private readonly statements = new Map<number, Database.Statement>();

  constructor(
    private readonly sqlite: Database.Database,
    private readonly head: string,
    private readonly row: string,
    private readonly tail = '',
    /** The statement answers one value per row (RETURNING a column). */
    private readonly returning = false,
  ) {}

  /** The statement for `rows` rows (at most ROWS_PER_STATEMENT). */
  statement(rows: number): Database.Statement {
    let statement = this.statements.get(rows);
    if (!statement) {
      statement = this.sqlite.prepare(`${this.head} VALUES ${Array(rows).fill(this.row).join(', ')} ${this.tail}`);
      if (this.returning) statement.pluck();
      this.statements.set(rows, statement);
    }
    return statement;
  }

  /** Inserts rows given as one flat list of values, `width` per row. */
  run(values: unknown[], width: number) {
    const chunk = ROWS_PER_STATEMENT * width;
    for (let at = 0; at < values.length; at += chunk) {
      const part = at === 0 && values.length <= chunk ? values : values.slice(at, at + chunk);
      this.statement(part.length / width).run(part);
    }
  }
}

/**
 * Writes imported items in one transaction per batch, several rows per statement: the hot
 * path of a 1.5M-record import. Every importer goes through here; it is the only code that
 * inserts items, and so the one that counts them into item_counts (once per batch; updates
 * and deletes are counted by triggers).
 */
export class BatchWriter {
  imported = 0;
  alreadyPresent = 0;
  private readonly findExisting;
  private readonly writeBatch;

  constructor(
    db: Db,
    private readonly datasetId: number,
    runId: number,
  ) {
    const sqlite = db.$client;
    this.findExisting = sqlite
      .prepare<[number, string], string>(
        'SELECT external_id FROM items WHERE dataset_id = ? AND external_id IN (SELECT value FROM json_each(?))',
      )
      .pluck();
    const ITEM_WIDTH = 16;
    // RETURNING names the rows inserted: a record whose id came earlier in the same import is
    // not, and its versions and candidate are left out with it (the first one stands).
    const insertItems = new MultiRowInsert(
      sqlite,
      `INSERT INTO items (id, dataset_id, external_id, family, task, instruction_type, source_root_id, source_path,
         source_width, source_height, source_file_id, metadata, current_instruction_id, current_candidate_id, import_run_id, created_at)`,
      `(${Array(ITEM_WIDTH).fill('?').join(', ')})`,
      'ON CONFLICT (dataset_id, external_id) DO NOTHING RETURNING id',
      true,
    );
    const VERSION_WIDTH = 5;
    const insertVersions = new MultiRowInsert(
      sqlite,
      'INSERT INTO instruction_versions (id, item_id, kind, text, created_at)',
      '(?, ?, ?, ?, ?)',
    );
    const CANDIDATE_WIDTH = 9;
    const insertCandidates = new MultiRowInsert(
      sqlite,
      'INSERT INTO candidates (id, item_id, origin, root_id, path, width, height, file_id, provenance, created_at)',
      "(?, ?, 'dataset', ?, ?, ?, ?, ?, ?, ?)",
    );
    const addCount = sqlite.prepare(
      `INSERT INTO item_counts (dataset_id, family, task, instruction_type, status, n) VALUES (?, ?, ?, ?, 'pending', ?)
       ON CONFLICT DO UPDATE SET n = n + excluded.n`,
    );
    const maxIds = sqlite.prepare(
      `SELECT (SELECT coalesce(max(id), 0) FROM items) AS item,
              (SELECT coalesce(max(id), 0) FROM instruction_versions) AS instruction,
              (SELECT coalesce(max(id), 0) FROM candidates) AS candidate`,
    );
    const provenance = JSON.stringify({ importRun: runId });

    // Ids are assigned here so an item points at its current versions in one insert; safe
    // because the whole batch is one write transaction (an item left out leaves its ids
    // unused). One creation time per batch, bound rather than the columns' default: its
    // unixepoch('subsec') per row and table was 6% of the write time.
    this.writeBatch = sqlite.transaction((batch: NewItem[]) => {
      const createdAt = Date.now();
      const ids = maxIds.get() as { item: number; instruction: number; candidate: number };
      const firstItem = ids.item + 1;
      const itemRows: unknown[] = [];
      let instruction = ids.instruction;
      for (let i = 0; i < batch.length; i++) {
        const it = batch[i];
        instruction += it.instructions.length;
        itemRows.push(
          firstItem + i,
          this.datasetId,
          it.externalId,
          it.family,
          it.task,
          it.instructionType,
          it.rootId,
          it.sourcePath,
          it.source.width,
          it.source.height,
          it.source.fileId ?? null,
          it.metadata,
          instruction, // the current version: the item's last
          ids.candidate + 1 + i,
          runId,
          createdAt,
        );
      }
      const inserted = new Set<number>();
      const chunk = ROWS_PER_STATEMENT * ITEM_WIDTH;
      for (let at = 0; at < itemRows.length; at += chunk) {
        const part = itemRows.length <= chunk ? itemRows : itemRows.slice(at, at + chunk);
        for (const id of insertItems.statement(part.length / ITEM_WIDTH).all(part) as number[]) inserted.add(id);
      }

      const versionRows: unknown[] = [];
      const candidateRows: unknown[] = [];
      const counts = new Map<string, { family: string; task: string; type: string; n: number }>();
      instruction = ids.instruction;
      for (let i = 0; i < batch.length; i++) {
        const it = batch[i];
        const itemId = firstItem + i;
        const first = instruction + 1;
        instruction += it.instructions.length;
        if (!inserted.has(itemId)) continue; // the same id twice within one import: the first one stands
        it.instructions.forEach((version, v) => versionRows.push(first + v, itemId, version.kind, version.text, createdAt));
        candidateRows.push(
          ids.candidate + 1 + i,
          itemId,
          it.outputRootId ?? it.rootId,
          it.outputPath,
          it.output.width,
          it.output.height,
          it.output.fileId ?? null,
          provenance,
          createdAt,
        );
        const key = `${it.family}\0${it.task}\0${it.instructionType}`;
        const count = counts.get(key);
        if (count) count.n++;
        else counts.set(key, { family: it.family, task: it.task, type: it.instructionType, n: 1 });
      }
      insertVersions.run(versionRows, VERSION_WIDTH);
      insertCandidates.run(candidateRows, CANDIDATE_WIDTH);
      for (const c of counts.values()) addCount.run(this.datasetId, c.family, c.task, c.type, c.n);
      this.imported += inserted.size;
      this.alreadyPresent += batch.length - inserted.size;
    });
  }

  /** Which of these record ids the dataset already holds (one query for a whole batch). */
  existing(externalIds: string[]): Set<string> {
    return new Set(this.findExisting.all(this.datasetId, JSON.stringify(externalIds)));
  }

  write(batch: NewItem[]) {
    if (batch.length) this.writeBatch.immediate(batch);
  }
}
