import os from 'node:os';
import type { Db } from '@/db';
import { statement } from '@/db/statements';
import type { JobStatus } from '@/db/schema';
import { writeTransaction } from '@/db/transaction';
import { pidExists } from '../process/owner';
import type { JobKindDefinition } from './kind';
import { kindIn, type JobKind } from './kinds';
import { batchSpend } from './spend';
import { LoupeError } from '@/lib/errors';

export interface JobRow {
  id: number;
  /** One of lib/jobs/kinds (the column is a plain string in db/schema.ts). */
  kind: JobKind;
  itemId: number;
  status: JobStatus;
  params: Record<string, unknown>;
  batchId: number | null;
  attempts: number;
  runAfter: number;
  lockedBy: string | null;
  lockedUntil: number | null;
  cancelRequested: boolean;
  error: string | null;
  resultCandidateId: number | null;
  resultInstructionId: number | null;
  costUsd: number;
  /** Money committed over all attempts (see spend.ts): an attempt cut off stays counted. */
  spentUsd: number;
  requestedBy: string;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

interface RawJob extends Omit<JobRow, 'params' | 'cancelRequested'> {
  params: string;
  cancelRequested: number;
}

const COLUMNS = `id, kind, item_id AS itemId, status, params, batch_id AS batchId, attempts, run_after AS runAfter,
  locked_by AS lockedBy, locked_until AS lockedUntil, cancel_requested AS cancelRequested, error,
  result_candidate_id AS resultCandidateId, result_instruction_id AS resultInstructionId, cost_usd AS costUsd, spent_usd AS spentUsd,
  requested_by AS requestedBy, created_at AS createdAt, started_at AS startedAt, finished_at AS finishedAt`;

function toJob(raw: RawJob): JobRow {
  return { ...raw, params: JSON.parse(raw.params), cancelRequested: raw.cancelRequested === 1 };
}

export interface NewJob {
  kind: JobKind;
  itemId: number;
  params?: Record<string, unknown>;
  requestedBy: string;
  batchId?: number;
  /** Estimated cost; replaced by the actual cost when the job succeeds. */
  costUsd: number;
}

/** Queues a job; refused while the item already has a job of that kind queued or running. */
export function enqueueJob(db: Db, job: NewJob): number {
  return db.$client
    .transaction(() => {
      const item = statement<[number], number>(db, 'SELECT 1 FROM items WHERE id = ?').pluck().get(job.itemId);
      if (!item) throw new LoupeError('not_found', `item ${job.itemId} not found`);
      const active = statement<[number, string], number>(
        db,
        `SELECT id FROM jobs WHERE item_id = ? AND kind = ? AND status IN ('queued', 'running') LIMIT 1`,
      )
        .pluck()
        .get(job.itemId, job.kind);
      if (active) throw new LoupeError('conflict', `item ${job.itemId} already has a ${job.kind} job (#${active}) queued or running`);
      return Number(
        statement(db, `INSERT INTO jobs (kind, item_id, params, batch_id, cost_usd, requested_by) VALUES (?, ?, ?, ?, ?, ?)`).run(
          job.kind,
          job.itemId,
          JSON.stringify(job.params ?? {}),
          job.batchId ?? null,
          job.costUsd,
          job.requestedBy,
        ).lastInsertRowid,
      );
    })
    .immediate();
}

export function getJob(db: Db, id: number): JobRow | undefined {
  const raw = statement<[number], RawJob>(db, `SELECT ${COLUMNS} FROM jobs WHERE id = ?`).get(id);
  return raw && toJob(raw);
}

/** This process's worker identity: host and pid let a restart recognise its own dead jobs. */
export function workerIdentity(): string {
  return `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

interface RunningJob {
  id: number;
  lockedBy: string | null;
  lockedUntil: number | null;
}

/** Its lock expired, or its worker ran on this host in a process that no longer exists. */
function orphaned(job: RunningJob, now: number): boolean {
  if ((job.lockedUntil ?? 0) < now) return true;
  const [jobHost, pid] = (job.lockedBy ?? '').split(':');
  return jobHost === os.hostname() && Number(pid) !== process.pid && !pidExists(Number(pid));
}

/**
 * On start: running jobs whose worker is gone go back to the queue. Read first without the write
 * lock (usually nothing is running), then decided again inside one IMMEDIATE transaction, each
 * row requeued only while its lock is still the one judged (a worker may have renewed it).
 */
export function requeueOrphans(db: Db, now = Date.now()): number {
  const running = () =>
    statement<[], RunningJob>(db, `SELECT id, locked_by AS lockedBy, locked_until AS lockedUntil FROM jobs WHERE status = 'running'`).all();
  if (!running().some((job) => orphaned(job, now))) return 0;
  return writeTransaction(db, () => {
    const requeue = statement(
      db,
      `UPDATE jobs SET status = 'queued', locked_by = NULL, locked_until = NULL
       WHERE id = ? AND status = 'running' AND locked_by IS ? AND locked_until IS ?`,
    );
    let requeued = 0;
    for (const job of running().filter((job) => orphaned(job, now))) requeued += requeue.run(job.id, job.lockedBy, job.lockedUntil).changes;
    return requeued;
  });
}

/** The claim's queries for a worker that runs `only` these kinds (all by default), built once per kind set. */
const claimSql = new Map<string, { next: string[]; expired: string }>();
function claimQueries(only: readonly JobKind[] | undefined): { next: string[]; expired: string } {
  const key = only ? only.join(',') : '*';
  let queries = claimSql.get(key);
  if (queries) return queries;
  const runs = (kind: JobKindDefinition) => !only || only.includes(kind.id as JobKind);
  const bulk = (kind: JobKindDefinition) => kind.priority === 'bulk';
  // By priority class: a person's own request, then batch work, then bulk work.
  const classes: [string, (kind: JobKindDefinition) => boolean][] = [
    [`batch_id IS NULL AND NOT ${kindIn(bulk)}`, (kind) => !bulk(kind)],
    // A limited worker looks here for batchable kinds only: startBatch queues no other kind, so no other job has a batch_id.
    ['batch_id IS NOT NULL', (kind) => kind.batchable],
    [`batch_id IS NULL AND ${kindIn(bulk)}`, bulk],
  ];
  const next = classes
    .map(([where, kinds]) => (only ? `${where} AND ${kindIn((kind) => kinds(kind) && runs(kind))}` : where))
    // A class with none of this worker's kinds is skipped: looking would walk every queued job.
    .filter((where) => !where.endsWith(' AND 0'))
    .map(
      (where) =>
        `SELECT ${COLUMNS} FROM jobs INDEXED BY jobs_status WHERE status = 'queued' AND run_after <= ? AND ${where} ORDER BY id LIMIT 1`,
    );
  const expired = `SELECT ${COLUMNS} FROM jobs INDEXED BY jobs_status WHERE status = 'running' AND locked_until < ?${only ? ` AND ${kindIn(runs)}` : ''}
     ORDER BY id LIMIT 1`;
  claimSql.set(key, (queries = { next, expired }));
  return queries;
}

/**
 * Takes the next runnable job for a worker: queued and due, or running with an expired
 * lock (its worker died). A job of a batch whose budget is spent is cancelled instead, and
 * the batch stopped. One short write transaction. `only`: a worker that runs some kinds
 * takes only theirs (the others stay queued for a worker that can run them).
 */
export function claimJob(db: Db, workerId: string, lockMs: number, now = Date.now(), only?: readonly JobKind[]): JobRow | undefined {
  // A reviewer's own request (an interactive kind) goes before batch work, and both before bulk
  // work (signals); within each, oldest first (a retry keeps its place instead of waiting behind
  // every job never tried). INDEXED BY: walking (status, id) stops at the first due job; without
  // statistics SQLite would sort every queued job by id (200 ms with 1.5M queued).
  const { next: nextSql, expired: expiredSql } = claimQueries(only);
  const next = nextSql.map((sql) => statement<[number], RawJob>(db, sql));
  const expired = statement<[number], RawJob>(db, expiredSql);
  const take = statement(
    db,
    `UPDATE jobs SET status = 'running', locked_by = ?, locked_until = ?, attempts = attempts + 1,
       started_at = coalesce(started_at, ?) WHERE id = ?`,
  );
  const deferred = statement(db, `UPDATE jobs SET status = 'queued', run_after = ?, locked_by = NULL, locked_until = NULL WHERE id = ?`);
  return db.$client
    .transaction(() => {
      for (;;) {
        let raw = expired.get(now);
        for (const query of next) raw ??= query.get(now);
        if (!raw) return undefined;
        if (raw.batchId !== null && batchOverBudget(db, raw.batchId, raw.costUsd)) {
          // Calls in flight hold worst-case reservations that shrink when they answer: wait for them.
          if (inFlight(db, raw.batchId, raw.id) > 0) {
            deferred.run(now + BUDGET_WAIT_MS, raw.id);
            continue;
          }
          stopBatch(db, raw.batchId, 'stopped', now);
          // stopBatch cancels queued jobs; a running one whose worker died is cancelled here.
          statement(
            db,
            `UPDATE jobs SET status = 'cancelled', error = 'batch budget spent', finished_at = ?, locked_by = NULL,
               locked_until = NULL WHERE id = ?`,
          ).run(now, raw.id);
          continue;
        }
        take.run(workerId, now + lockMs, now, raw.id);
        return { ...toJob(raw), status: 'running' as const, lockedBy: workerId, lockedUntil: now + lockMs, attempts: raw.attempts + 1 };
      }
    })
    .immediate();
}

/** How long a batch job that cannot be paid for yet waits for the batch's calls in flight to settle. */
const BUDGET_WAIT_MS = 2000;

/** Other jobs of the batch running now (their calls' reservations may still shrink). */
function inFlight(db: Db, batchId: number, jobId: number): number {
  return statement<[number, number], number>(db, `SELECT count(*) FROM jobs WHERE batch_id = ? AND status = 'running' AND id != ?`)
    .pluck()
    .get(batchId, jobId)!;
}

/**
 * Money committed to the batch (every attempt of every job, spend.ts) plus this job's estimate
 * is over the budget. The hard check is the reservation before each call (reserveSpend); this
 * one keeps a worker from taking jobs that could not be paid for.
 */
function batchOverBudget(db: Db, batchId: number, estimate: number): boolean {
  const { spent, budget } = batchSpend(db, batchId);
  return spent + estimate > budget + 1e-9;
}

/** Ends a batch: its queued jobs are cancelled (they will not run). */
export function stopBatch(db: Db, batchId: number, status: 'stopped' | 'cancelled', now = Date.now()) {
  const reason = status === 'stopped' ? 'batch budget spent' : 'batch cancelled';
  statement(db, `UPDATE jobs SET status = 'cancelled', error = ?, finished_at = ? WHERE batch_id = ? AND status = 'queued'`).run(
    reason,
    now,
    batchId,
  );
  statement(db, `UPDATE batches SET status = ? WHERE id = ? AND status = 'running'`).run(status, batchId);
}

/** Extends a running job's lock; says whether a cancel was asked for. Undefined: the lock was lost. */
export function renewJobLock(db: Db, id: number, workerId: string, lockMs: number, now = Date.now()) {
  const changed = statement(db, `UPDATE jobs SET locked_until = ? WHERE id = ? AND status = 'running' AND locked_by = ?`).run(
    now + lockMs,
    id,
    workerId,
  ).changes;
  if (!changed) return undefined;
  return { cancelRequested: statement<[number], number>(db, 'SELECT cancel_requested FROM jobs WHERE id = ?').pluck().get(id) === 1 };
}

/**
 * Records a job's result, in one transaction: only while this worker still holds the job
 * and no cancel was asked for, so a job never produces two results. `commit` writes the
 * result rows (synchronously, inside the transaction) and returns their ids.
 */
export function finishJob(
  db: Db,
  id: number,
  workerId: string,
  costUsd: number,
  commit: () => { candidateId?: number; instructionId?: number },
  now = Date.now(),
): boolean {
  return db.$client
    .transaction(() => {
      const holds = statement<[number, string], number>(
        db,
        `SELECT 1 FROM jobs WHERE id = ? AND status = 'running' AND locked_by = ? AND cancel_requested = 0`,
      )
        .pluck()
        .get(id, workerId);
      if (!holds) return false;
      const result = commit();
      statement(
        db,
        `UPDATE jobs SET status = 'succeeded', result_candidate_id = ?, result_instruction_id = ?, cost_usd = ?,
           error = NULL, finished_at = ?, locked_by = NULL, locked_until = NULL WHERE id = ?`,
      ).run(result.candidateId ?? null, result.instructionId ?? null, costUsd, now, id);
      return true;
    })
    .immediate();
}

/** Puts a job back in the queue after a retryable error, not before `runAfter`. */
export function retryJobLater(db: Db, id: number, workerId: string, error: string, runAfter: number) {
  statement(
    db,
    `UPDATE jobs SET status = 'queued', run_after = ?, error = ?, locked_by = NULL, locked_until = NULL
     WHERE id = ? AND status = 'running' AND locked_by = ?`,
  ).run(runAfter, error, id, workerId);
}

/**
 * The job's batch cannot pay for its call now, but other calls of the batch are in flight and
 * their reservations may shrink to their actual costs: back to the queue for a moment, with
 * this attempt not counted (no call was sent). False when none are: the budget is spent.
 */
export function waitForBudget(
  db: Db,
  job: { id: number; batchId: number | null },
  workerId: string,
  delayMs = BUDGET_WAIT_MS,
  now = Date.now(),
): boolean {
  if (job.batchId === null) return false;
  return writeTransaction(db, () => {
    if (inFlight(db, job.batchId!, job.id) === 0) return false;
    // 0 rows: the lock was lost (another worker has the job now); nothing was requeued.
    return (
      statement(
        db,
        `UPDATE jobs SET status = 'queued', run_after = ?, attempts = max(0, attempts - 1), locked_by = NULL, locked_until = NULL
         WHERE id = ? AND status = 'running' AND locked_by = ?`,
      ).run(now + delayMs, job.id, workerId).changes > 0
    );
  });
}

/** Ends a job as failed or cancelled (by its worker). */
export function endJob(db: Db, id: number, workerId: string, status: 'failed' | 'cancelled', error: string, now = Date.now()) {
  statement(
    db,
    `UPDATE jobs SET status = ?, error = ?, finished_at = ?, locked_by = NULL, locked_until = NULL
     WHERE id = ? AND status = 'running' AND locked_by = ?`,
  ).run(status, error, now, id, workerId);
}

/** Cancels a job: a queued one at once; a running one is flagged and stopped by its worker. */
export function cancelJob(db: Db, id: number, now = Date.now()): JobStatus {
  return db.$client
    .transaction(() => {
      const job = getJob(db, id);
      if (!job) throw new LoupeError('not_found', `job ${id} not found`);
      if (job.status === 'queued') {
        statement(db, `UPDATE jobs SET status = 'cancelled', error = 'cancelled', finished_at = ? WHERE id = ?`).run(now, id);
        return 'cancelled';
      }
      if (job.status === 'running') {
        statement(db, 'UPDATE jobs SET cancel_requested = 1 WHERE id = ?').run(id);
        return 'running';
      }
      throw new LoupeError('conflict', `job ${id} is already ${job.status}`);
    })
    .immediate();
}

/** Queues a failed or cancelled job again, with fresh attempts. */
export function retryJob(db: Db, id: number): void {
  db.$client
    .transaction(() => {
      const job = getJob(db, id);
      if (!job) throw new LoupeError('not_found', `job ${id} not found`);
      if (job.status !== 'failed' && job.status !== 'cancelled') throw new LoupeError('conflict', `job ${id} is ${job.status}`);
      const active = statement<[number, string, number], number>(
        db,
        `SELECT 1 FROM jobs WHERE item_id = ? AND kind = ? AND id != ? AND status IN ('queued', 'running')`,
      )
        .pluck()
        .get(job.itemId, job.kind, id);
      if (active) throw new LoupeError('conflict', `item ${job.itemId} already has a ${job.kind} job queued or running`);
      statement(
        db,
        `UPDATE jobs SET status = 'queued', attempts = 0, run_after = 0, error = NULL, cancel_requested = 0,
           finished_at = NULL WHERE id = ?`,
      ).run(id);
    })
    .immediate();
}

export function jobsOfItem(db: Db, itemId: number): JobRow[] {
  return statement<[number], RawJob>(db, `SELECT ${COLUMNS} FROM jobs WHERE item_id = ? ORDER BY id`).all(itemId).map(toJob);
}
