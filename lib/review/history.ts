import path from 'node:path';
import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { actorNameSql } from '@/lib/auth/actors';
import { kindOf } from '@/lib/jobs/kinds';
import { REJECT_REASONS } from './reasons';
import { LoupeError } from '@/lib/errors';

export type HistoryKind =
  'import' | 'verdict' | 'undo' | 'instruction' | 'job_requested' | 'job_finished' | 'candidate' | 'gold' | 'comment';

/** One thing that happened to an item, for the lead's timeline. */
export interface HistoryEvent {
  at: number;
  kind: HistoryKind;
  /** Who did it: a username (shown for the recorded user id), a model for a rewrite, a `cli:` label; null for the import. */
  actor: string | null;
  summary: string;
  detail?: Record<string, unknown>;
}

/** Rows record user ids (lib/auth/actors.ts); the timeline shows current usernames. */
const who = actorNameSql;

/*
 * One UNION ALL over the item's rows, each arm a lookup by item id on its own index
 * (items and import_runs by primary key, verdicts_item, instruction_versions_item,
 * candidates_item, jobs_item, gold_items' primary key, comments_item). `rank` orders events
 * that share a millisecond: a job's result rows are written in the transaction that ends it,
 * stamped a moment after its finished_at, so "finished" comes before "new image/instruction"
 * whether or not the clock moved in between. `seq` keeps each table's own order. Details are
 * built as JSON in SQL so every arm has the same columns.
 */
const HISTORY_SQL = `
SELECT i.created_at AS at, 0 AS rank, i.id AS seq, 'import' AS kind, NULL AS actor,
       json_object('importRunId', r.id, 'path', r.path, 'format', r.format, 'runStatus', r.status, 'externalId', i.external_id,
                   'family', i.family, 'task', i.task) AS detail
  FROM items i LEFT JOIN import_runs r ON r.id = i.import_run_id
  WHERE i.id = @item
UNION ALL
SELECT j.created_at, 1, j.id, 'job_requested', ${who('j.requested_by')},
       json_object('jobId', j.id, 'jobKind', j.kind, 'batchId', j.batch_id)
  FROM jobs j WHERE j.item_id = @item
UNION ALL
SELECT iv.created_at, 3, iv.id, 'instruction', ${who('iv.created_by')},
       json_object('versionId', iv.id, 'versionKind', iv.kind, 'text', iv.text)
  FROM instruction_versions iv WHERE iv.item_id = @item AND iv.created_by IS NOT NULL
UNION ALL
SELECT c.created_at, 4, c.id, 'candidate', ${who('cj.requested_by')},
       json_object('candidateId', c.id, 'origin', c.origin, 'jobId', c.job_id, 'jobKind', cj.kind,
                   'width', c.width, 'height', c.height, 'simulated', json(CASE c.simulated WHEN 1 THEN 'true' ELSE 'false' END),
                   'paddingOk', json(CASE c.padding_ok WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE 'null' END),
                   'ownSource', json(CASE WHEN c.source_path IS NULL THEN 'false' ELSE 'true' END))
  FROM candidates c LEFT JOIN jobs cj ON cj.id = c.job_id
  WHERE c.item_id = @item AND c.origin != 'dataset'
UNION ALL
SELECT j.finished_at, 2, j.id, 'job_finished', ${who('j.requested_by')},
       json_object('jobId', j.id, 'jobKind', j.kind, 'status', j.status, 'error', j.error, 'attempts', j.attempts,
                   'costUsd', j.cost_usd, 'candidateId', j.result_candidate_id, 'instructionId', j.result_instruction_id)
  FROM jobs j WHERE j.item_id = @item AND j.finished_at IS NOT NULL AND j.status IN ('succeeded', 'failed', 'cancelled')
UNION ALL
SELECT v.created_at, 5, v.id, CASE v.decision WHEN 'undo' THEN 'undo' ELSE 'verdict' END, ${who('v.reviewer')},
       json_object('verdictId', v.id, 'decision', v.decision, 'verdictKind', v.kind, 'reasons', json(v.reasons),
                   'comment', v.comment, 'goldExpected', v.gold_expected, 'candidateId', v.candidate_id,
                   'instructionVersionId', v.instruction_version_id, 'msSpent', v.ms_spent,
                   'undoesVerdictId', v.undoes_verdict_id, 'undoneDecision', o.decision, 'undoneReviewer', ${who('o.reviewer')})
  FROM verdicts v LEFT JOIN verdicts o ON o.id = v.undoes_verdict_id
  WHERE v.item_id = @item
UNION ALL
SELECT g.created_at, 6, 0, 'gold', ${who('g.created_by')}, json_object('expected', g.expected)
  FROM gold_items g WHERE g.item_id = @item
UNION ALL
SELECT cm.created_at, 7, cm.id, 'comment', ${who('cm.author')}, json_object('commentId', cm.id, 'body', cm.body)
  FROM comments cm WHERE cm.item_id = @item
ORDER BY at, rank, seq`;

/** The SQL of itemHistory (exported for EXPLAIN QUERY PLAN checks). */
export const itemHistorySql = HISTORY_SQL;

interface Row {
  at: number;
  /** Sort keys after `at`: the event type's order, then its row id. */
  rank: number;
  seq: number;
  kind: HistoryKind;
  actor: string | null;
  detail: string;
}

/** A job kind's label (lib/jobs/kinds); a kind this code does not know, by its id. */
const jobName = (kind: unknown) => kindOf(String(kind))?.label ?? String(kind);

const REASON_LABELS = new Map<string, string>(REJECT_REASONS.map((r) => [r.tag, r.label]));
export const reasonLabel = (tag: string) => REASON_LABELS.get(tag) ?? tag;

const PAST: Record<string, string> = { accept: 'accepted', reject: 'rejected', skip: 'skipped' };

function verdictSummary(d: Record<string, unknown>): string {
  const decision = String(d.decision);
  const reasons = Array.isArray(d.reasons) && d.reasons.length ? `: ${d.reasons.map(String).map(reasonLabel).join(', ')}` : '';
  const comment = d.comment ? ` “${String(d.comment)}”` : '';
  const past = PAST[decision] ?? decision;
  switch (d.verdictKind) {
    case 'adjudication':
      return `Adjudicated: ${past}${reasons}${comment}`;
    case 'gold':
      return `Gold answer: ${past}${d.goldExpected ? ` (expected ${String(d.goldExpected)})` : ''}${reasons}${comment}`;
    default:
      return `${past[0].toUpperCase()}${past.slice(1)}${reasons}${comment}`;
  }
}

function summarize(kind: HistoryKind, d: Record<string, unknown>): string {
  switch (kind) {
    case 'import':
      // An interrupted run's items are whole (written a batch per transaction); only later records are missing.
      return d.path
        ? `Imported from ${String(d.path)} (${String(d.format)})${d.runStatus === 'interrupted' ? `; import run #${String(d.importRunId)} was interrupted before it finished` : ''}`
        : 'Imported';
    case 'verdict':
      return verdictSummary(d);
    case 'undo':
      return `Undid verdict #${String(d.undoesVerdictId)}${d.undoneDecision ? ` (${PAST[String(d.undoneDecision)] ?? d.undoneDecision}${d.undoneReviewer ? ` by ${String(d.undoneReviewer)}` : ''})` : ''}`;
    case 'instruction':
      return `${d.versionKind === 'rewrite' ? 'Instruction rewritten' : 'Instruction edited'}: “${String(d.text)}”`;
    case 'job_requested':
      return `${jobName(d.jobKind)} requested (job #${String(d.jobId)}${d.batchId ? `, batch #${String(d.batchId)}` : ''})`;
    case 'job_finished':
      return `${jobName(d.jobKind)} ${String(d.status)} (job #${String(d.jobId)})${d.status !== 'succeeded' && d.error ? `: ${String(d.error)}` : ''}`;
    case 'candidate':
      return `New edited image #${String(d.candidateId)}, ${String(d.width)} × ${String(d.height)}${d.ownSource ? ' with its own source' : ''}${d.simulated ? ' (simulated)' : ''}${d.paddingOk === false ? ', padding check failed' : ''}`;
    case 'gold':
      return `Marked as gold (expected ${String(d.expected)})`;
    case 'comment':
      return `Commented: ${String(d.body)}`;
  }
}

/**
 * Every action on an item in one timeline, oldest first: the import, verdicts of every kind
 * and their undos, instruction versions made by people or rewrites, jobs requested and
 * finished, regenerated candidates, the gold mark and comments. Throws 404 for an unknown
 * item. Gold unmarking and job retries leave no row behind, so they do not show.
 */
export function itemHistory(db: Db, itemId: number): HistoryEvent[] {
  const rows = statement<[{ item: number }], Row>(db, HISTORY_SQL).all({ item: itemId });
  if (rows.length === 0) throw new LoupeError('not_found', `item ${itemId} not found`);
  return rows.map((row) => {
    const detail = JSON.parse(row.detail) as Record<string, unknown>;
    for (const key of Object.keys(detail)) if (detail[key] === null) delete detail[key];
    // The browser never sees server paths: an import names its folder only.
    if (typeof detail.path === 'string') detail.path = path.basename(detail.path);
    return { at: row.at, kind: row.kind, actor: row.actor, summary: summarize(row.kind, detail), detail };
  });
}
