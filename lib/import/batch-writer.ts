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
 * Writes imported items in one transaction per batch with prepared statements: the hot
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
    const insertItem = sqlite.prepare(
      `INSERT INTO items (id, dataset_id, external_id, family, task, instruction_type, source_root_id, source_path,
         source_width, source_height, source_file_id, metadata, current_instruction_id, current_candidate_id, import_run_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (dataset_id, external_id) DO NOTHING`,
    );
    const insertInstruction = sqlite.prepare('INSERT INTO instruction_versions (id, item_id, kind, text) VALUES (?, ?, ?, ?)');
    const insertCandidate = sqlite.prepare(
      `INSERT INTO candidates (id, item_id, origin, root_id, path, width, height, file_id, provenance)
       VALUES (?, ?, 'dataset', ?, ?, ?, ?, ?, ?)`,
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

    // Ids are assigned here so an item points at its current versions in one insert;
    // safe because the whole batch is one write transaction.
    this.writeBatch = sqlite.transaction((batch: NewItem[]) => {
      let { item, instruction, candidate } = maxIds.get() as { item: number; instruction: number; candidate: number };
      const counts = new Map<string, { family: string; task: string; type: string; n: number }>();
      for (const it of batch) {
        const itemId = item + 1;
        const currentInstruction = instruction + it.instructions.length;
        const candidateId = candidate + 1;
        const inserted = insertItem.run(
          itemId,
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
          currentInstruction,
          candidateId,
          runId,
        );
        if (inserted.changes === 0) {
          this.alreadyPresent++; // the same id twice within one import: the first one stands
          continue;
        }
        it.instructions.forEach((version, i) => insertInstruction.run(instruction + 1 + i, itemId, version.kind, version.text));
        insertCandidate.run(
          candidateId,
          itemId,
          it.outputRootId ?? it.rootId,
          it.outputPath,
          it.output.width,
          it.output.height,
          it.output.fileId ?? null,
          provenance,
        );
        item = itemId;
        instruction = currentInstruction;
        candidate = candidateId;
        this.imported++;
        const key = `${it.family}\0${it.task}\0${it.instructionType}`;
        const count = counts.get(key);
        if (count) count.n++;
        else counts.set(key, { family: it.family, task: it.task, type: it.instructionType, n: 1 });
      }
      for (const c of counts.values()) addCount.run(this.datasetId, c.family, c.task, c.type, c.n);
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
