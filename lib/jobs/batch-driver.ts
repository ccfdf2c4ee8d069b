import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { writeTransaction } from '@/db/transaction';
import { StallWatch, watched } from './stall-watch';
import { INPUT_LIMITS, InputFile, requestLine, type InputLimits } from '../openai-batch/input';
import { readResults, type LineResult } from '../openai-batch/output';
import type { OpenAIConfig } from '../openai/config';
import { BATCH_PRICE_FACTOR } from '../openai/prices';
import { isSimulated } from '../openai/simulated';
import { pidExists } from '../process/owner';
import { workerIdentity } from './jobs';
import type { BatchHooks, RunnableJob } from './kind';
import { kindOf } from './kinds';

/**
 * The OpenAI Batch API path. A Loupe batch whose path is `batch` (lib/batches/batch.ts) queues its
 * jobs already held for this driver: status `running`, locked by PENDING_HOLDER with a lock that
 * never expires, so neither the job worker's claim nor lib/runs' orphan sweep touches them (the
 * lock names no process). The driver moves them into submissions (openai_batches rows, each one
 * input file and one remote batch, locked by `openai-batch:<row>`), polls, and applies each output
 * line through the kind's answer half (kind.ts BatchHooks), as the synchronous runner does.
 *
 * Each remote step is bracketed by writes of the row, so a driver that dies resumes: a row still
 * `preparing` gives its jobs back (at worst an uploaded file nobody uses), one `creating` looks for the
 * batch it may have created (by its metadata) before creating it, and `submitted` ones are polled.
 *
 * Money: each job's worst case at the Batch price is reserved (jobs.spent_usd, with the budget check,
 * as lib/jobs/spend.ts does before a synchronous call) when it is put in a file, and jobs.cost_usd holds
 * the reservation while the OpenAI batch holds the job; a line that ran replaces it by its cost from
 * `usage`, a refused line or one that never ran releases it.
 */

/** Jobs of a batch-path Loupe batch waiting to be put in a file. */
export const PENDING_HOLDER = 'openai-batch:pending';
/** A held job's lock: the remote batch holds it, not a process, so it never expires. */
export const HELD_UNTIL = Number.MAX_SAFE_INTEGER;
const holderOf = (row: number) => `openai-batch:${row}`;
/** While writing a file or applying an output, the lease is renewed every this many jobs. */
const RENEW_EVERY = 500;

/** Thrown at a step boundary when another driver holds the lease now: this one stops its tick there. */
class LeaseLost extends Error {
  constructor() {
    super('the batch driver lease passed to another driver; this tick stops');
  }
}

/** Terminal statuses of a remote batch (openai 6.49.0 Batch.status). */
const TERMINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);

interface Row {
  id: number;
  batchId: number;
  kind: string;
  state: 'preparing' | 'uploaded' | 'creating' | 'submitted' | 'collecting' | 'ended';
  inputFileId: string | null;
  remoteId: string | null;
  outputFileId: string | null;
  errorFileId: string | null;
  remoteStatus: string | null;
  pollFailures: number;
  nextPollAt: number;
  submittedAt: number | null;
  createdAt: number;
}

const ROW_COLUMNS = `id, batch_id AS batchId, kind, state, input_file_id AS inputFileId, remote_id AS remoteId,
  output_file_id AS outputFileId, error_file_id AS errorFileId, remote_status AS remoteStatus, poll_failures AS pollFailures,
  next_poll_at AS nextPollAt, submitted_at AS submittedAt, created_at AS createdAt`;

interface HeldJob extends RunnableJob {
  costUsd: number;
  cancelRequested: number;
}

const HELD_COLUMNS = `id, item_id AS itemId, params, batch_id AS batchId, requested_by AS requestedBy, created_at AS createdAt,
  cost_usd AS costUsd, cancel_requested AS cancelRequested`;

export type DriverEvent =
  | { type: 'submitted'; row: number; jobs: number; bytes: number; remoteId: string }
  | { type: 'ended'; row: number; remoteStatus: string; succeeded: number; failed: number; requeued: number }
  | { type: 'problem'; row?: number; message: string };

export interface BatchDriverOptions {
  /** Where input files are written before upload (removed after). */
  dir: string;
  /** How often a submitted batch is polled (default LOUPE_BATCH_POLL_MS). */
  pollMs?: number;
  /** How often the driver looks for work when idle. */
  tickMs?: number;
  /**
   * The lease that keeps one driver per database: renewed while a tick runs (every third of it, and
   * before each submission and remote step); a driver that finds it lost stops its tick.
   */
  leaseMs?: number;
  /**
   * A remote step (an upload, a create, a poll, a download of results) that shows no progress for
   * this long is aborted, and the next tick resumes it (default 10 minutes).
   */
  stallMs?: number;
  limits?: InputLimits;
  onEvent?: (event: DriverEvent) => void;
}

/** The process that drives the OpenAI batches: one at a time per database (a lease in openai_batch_driver). */
export class BatchDriver {
  readonly id = workerIdentity();
  private timer?: NodeJS.Timeout;
  private stopped = true;
  private ticking?: Promise<void>;
  /** Set when a renewal found another driver holding the lease: this tick stops at its next step. */
  private lost = false;
  /**
   * Batches whose next job's worst case did not fit the room left while other submissions of theirs
   * held reservations: the submissions in flight then. Nothing is sent for them until one of those ends.
   */
  private readonly waitingForSpend = new Map<number, string>();
  private readonly pollMs: number;
  private readonly tickMs: number;
  private readonly leaseMs: number;
  private readonly stallMs: number;
  private readonly limits: InputLimits;

  constructor(
    private readonly db: Db,
    private readonly config: OpenAIConfig,
    private readonly openai: () => OpenAI,
    private readonly options: BatchDriverOptions,
  ) {
    this.pollMs = options.pollMs ?? config.LOUPE_BATCH_POLL_MS;
    this.tickMs = options.tickMs ?? Math.min(1000, this.pollMs);
    this.leaseMs = options.leaseMs ?? 60_000;
    this.stallMs = options.stallMs ?? 10 * 60_000;
    this.limits = options.limits ?? INPUT_LIMITS;
  }

  start() {
    if (!this.stopped) return this;
    this.stopped = false;
    this.schedule(0);
    return this;
  }

  /** Stops after the step in progress (a remote step is never cut in half: the rows say where it is). */
  async stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    // Another process may drive at once (its submissions resume from their rows).
    statement(this.db, 'UPDATE openai_batch_driver SET locked_until = 0 WHERE id = 1 AND holder = ?').run(this.id);
  }

  private schedule(ms: number) {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick()
        .catch((error) => this.emit({ type: 'problem', message: error instanceof Error ? error.message : String(error) }))
        .finally(() => {
          this.ticking = undefined;
          this.schedule(this.tickMs);
        });
    }, ms);
  }

  /** One pass: with the lease, resume or advance every submission, then put pending jobs into new ones. */
  async tick(now = Date.now()): Promise<void> {
    if (!this.takeLease(now)) return;
    this.lost = false;
    // One tick can outlast the lease (a remote call that takes minutes, a 200 MB file to write): it is
    // renewed meanwhile, so no second driver acts on the rows this one is in the middle of.
    const heartbeat = setInterval(
      () => {
        try {
          this.renew();
        } catch {
          // A busy database: the next renewal (or the check before the next step) tries again.
        }
      },
      Math.max(10, Math.floor(this.leaseMs / 3)),
    );
    try {
      const ids = statement<[], number>(this.db, `SELECT id FROM openai_batches WHERE state != 'ended' ORDER BY id`).pluck().all();
      for (const id of ids) {
        this.holdLease();
        const row = this.rowOf(id); // as it is now, not as it was when the tick began
        if (row.state !== 'ended') await this.advance(row);
      }
      for (const batchId of this.batchesWithPending()) {
        this.holdLease();
        await this.submitPending(batchId);
      }
    } catch (error) {
      if (!(error instanceof LeaseLost)) throw error;
      this.emit({ type: 'problem', message: error.message });
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Renews the lease this driver holds; false (and the tick stops at its next step) if another holds it now. */
  private renew(): boolean {
    if (this.lost) return false;
    const renewed = statement(this.db, 'UPDATE openai_batch_driver SET locked_until = ? WHERE id = 1 AND holder = ?').run(
      Date.now() + this.leaseMs,
      this.id,
    ).changes;
    if (renewed !== 1) this.lost = true;
    return !this.lost;
  }

  /** Before each submission and remote step: go on only while this driver holds the lease. */
  private holdLease() {
    if (!this.renew()) throw new LeaseLost();
  }

  /** Takes or renews the lease: free, ours, expired, or held by a dead process on this host. */
  private takeLease(now: number): boolean {
    return writeTransaction(this.db, () => {
      const lease = statement<[], { holder: string; lockedUntil: number }>(
        this.db,
        'SELECT holder, locked_until AS lockedUntil FROM openai_batch_driver WHERE id = 1',
      ).get();
      if (lease && lease.holder !== this.id && lease.lockedUntil >= now) {
        const [host, pid] = lease.holder.split(':');
        if (host !== os.hostname() || pidExists(Number(pid))) return false;
      }
      statement(
        this.db,
        `INSERT INTO openai_batch_driver (id, holder, locked_until) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, locked_until = excluded.locked_until`,
      ).run(this.id, now + this.leaseMs);
      return true;
    });
  }

  private batchesWithPending(): number[] {
    return statement<[string], number>(
      this.db,
      // Whatever the batch's path now: a job held here is the driver's until it is sent or given back.
      `SELECT id FROM batches b WHERE EXISTS (SELECT 1 FROM jobs WHERE batch_id = b.id AND status = 'running' AND locked_by = ?)`,
    )
      .pluck()
      .all(PENDING_HOLDER);
  }

  private hooksOf(kind: string): BatchHooks {
    const hooks = kindOf(kind)?.batch?.({ db: this.db, config: this.config });
    if (!hooks) throw new Error(`job kind ${kind} cannot go through the Batch API`);
    return hooks;
  }

  private heldJobs(holder: string, limit = -1): HeldJob[] {
    return statement<[string, number], Omit<HeldJob, 'params'> & { params: string }>(
      this.db,
      `SELECT ${HELD_COLUMNS} FROM jobs WHERE status = 'running' AND locked_by = ? ORDER BY id LIMIT ?`,
    )
      .all(holder, limit)
      .map((job) => ({ ...job, params: JSON.parse(job.params) }));
  }

  /**
   * Puts a Loupe batch's pending jobs into one submission: as many as one input file takes (the rest
   * wait for the next tick's file) and the budget covers with their worst cases, then uploads it and
   * creates the remote batch. As the synchronous path reserves only for the calls in flight and waits,
   * jobs the room left does not cover wait while reservations of the batch are held (this file's or
   * another submission's): they go in a later file, once what ran has its real cost. Only when nothing
   * of the batch is in flight and the room cannot cover the next job's worst case are the rest
   * cancelled and the batch stopped.
   */
  private async submitPending(batchId: number) {
    const batch = statement<[number], { kind: string; status: string; budgetUsd: number }>(
      this.db,
      'SELECT kind, status, budget_usd AS budgetUsd FROM batches WHERE id = ?',
    ).get(batchId)!;
    if (batch.status !== 'running') {
      // Stopped or cancelled meanwhile: its waiting jobs will not run.
      statement(
        this.db,
        `UPDATE jobs SET status = 'cancelled', error = ?, finished_at = ?, locked_by = NULL, locked_until = NULL
         WHERE batch_id = ? AND status = 'running' AND locked_by = ?`,
      ).run(batch.status === 'stopped' ? 'batch budget spent' : 'batch cancelled', Date.now(), batchId, PENDING_HOLDER);
      return;
    }
    const waitingFor = this.waitingForSpend.get(batchId);
    if (waitingFor !== undefined) {
      if (waitingFor === this.inFlight(batchId)) return; // none of the submissions it waits for has ended yet
      this.waitingForSpend.delete(batchId);
    }
    const hooks = this.hooksOf(batch.kind);
    const row = writeTransaction(this.db, () => {
      const id = Number(
        statement(this.db, `INSERT INTO openai_batches (batch_id, kind, endpoint) VALUES (?, ?, ?)`).run(
          batchId,
          batch.kind,
          hooks.endpoint,
        ).lastInsertRowid,
      );
      statement(
        this.db,
        `UPDATE jobs SET locked_by = ?, openai_batch_id = ?, attempts = attempts + 1, started_at = coalesce(started_at, ?), cost_usd = 0
         WHERE id IN (SELECT id FROM jobs WHERE batch_id = ? AND status = 'running' AND locked_by = ? ORDER BY id LIMIT ?)`,
      ).run(holderOf(id), id, Date.now(), batchId, PENDING_HOLDER, this.limits.requests);
      return id;
    });
    const holder = holderOf(row);
    const jobs = this.heldJobs(holder);
    const file = await InputFile.create(path.join(this.options.dir, `openai-batch-${row}.jsonl`), this.limits);
    const included: { id: number; reserveUsd: number; params: Record<string, unknown> }[] = [];
    const released: number[] = [];
    let overBudget = false;
    let waiting = false;
    let full = false;
    try {
      let room = batch.budgetUsd - this.batchSpent(batchId);
      for (const [index, job] of jobs.entries()) {
        if (index % RENEW_EVERY === 0) this.holdLease();
        if (overBudget || waiting || full) {
          released.push(job.id);
          continue;
        }
        if (job.cancelRequested) {
          this.endHeld(job.id, holder, 'cancelled', 'cancelled', 0);
          continue;
        }
        let request;
        try {
          request = await hooks.request(job);
        } catch (error) {
          // This job cannot be asked (an image file is missing…): it fails alone, the rest go on.
          this.endHeld(job.id, holder, 'failed', error instanceof Error ? error.message : String(error), 0);
          continue;
        }
        const reserveUsd = BATCH_PRICE_FACTOR * request.worstCaseUsd;
        if (reserveUsd > room + 1e-9) {
          // Reservations of this batch still held: this job and the rest wait for their real costs.
          if (included.length > 0 || this.inFlight(batchId, row) !== '') waiting = true;
          else overBudget = true;
          released.push(job.id);
          continue;
        }
        const line = requestLine(job.id, hooks.endpoint, request.body);
        if (!(await file.add(line))) {
          if (file.requests === 0) {
            // Alone over the byte limit: no input file can take it.
            const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
            const message = `its Batch API request is ${mib(Buffer.byteLength(line))}, over the ${mib(this.limits.bytes)} an input file may hold`;
            this.endHeld(job.id, holder, 'failed', message, 0);
            continue;
          }
          full = true; // this job and the rest go in the next submission's file
          released.push(job.id);
          continue;
        }
        room -= reserveUsd;
        included.push({ id: job.id, reserveUsd, params: request.params });
      }
    } finally {
      await file.close();
    }
    const fits = writeTransaction(this.db, () => {
      // Another driver may have given this submission back meanwhile (it took the lease): then it is not ours to send.
      if (statement<[number], string>(this.db, 'SELECT state FROM openai_batches WHERE id = ?').pluck().get(row) !== 'preparing') {
        return 'lost';
      }
      // The hard check, as reserveSpend's: nothing else may have spent the room meanwhile.
      const reserve = included.reduce((sum, job) => sum + job.reserveUsd, 0);
      if (this.batchSpent(batchId) + reserve > batch.budgetUsd + 1e-9) return false;
      const hold = statement(
        this.db,
        `UPDATE jobs SET spent_usd = spent_usd + ?, cost_usd = ?, params = ? WHERE id = ? AND status = 'running' AND locked_by = ?`,
      );
      for (const job of included) hold.run(job.reserveUsd, job.reserveUsd, JSON.stringify(job.params), job.id, holder);
      const back = statement(
        this.db,
        `UPDATE jobs SET locked_by = ?, openai_batch_id = NULL, attempts = max(0, attempts - 1) WHERE id = ? AND locked_by = ?`,
      );
      const cancel = statement(
        this.db,
        `UPDATE jobs SET status = 'cancelled', error = 'batch budget spent', finished_at = ?, locked_by = NULL, locked_until = NULL
         WHERE id = ? AND locked_by = ?`,
      );
      for (const id of released) {
        if (overBudget) cancel.run(Date.now(), id, holder);
        else back.run(PENDING_HOLDER, id, holder);
      }
      if (overBudget) {
        statement(
          this.db,
          `UPDATE jobs SET status = 'cancelled', error = 'batch budget spent', finished_at = ?, locked_by = NULL, locked_until = NULL
           WHERE batch_id = ? AND status = 'running' AND locked_by = ?`,
        ).run(Date.now(), batchId, PENDING_HOLDER);
        statement(this.db, `UPDATE batches SET status = 'stopped' WHERE id = ? AND status = 'running'`).run(batchId);
      }
      statement(this.db, 'UPDATE openai_batches SET jobs = ?, input_bytes = ? WHERE id = ?').run(included.length, file.bytes, row);
      return true;
    });
    if (fits === 'lost') {
      await fsp.rm(file.path, { force: true });
      throw new LeaseLost();
    }
    if (waiting) this.waitingForSpend.set(batchId, this.inFlight(batchId, included.length > 0 ? undefined : row));
    if (!fits || included.length === 0) {
      await fsp.rm(file.path, { force: true });
      this.giveBack(row, fits ? 'nothing to send' : 'the budget changed while the file was written; tried again');
      return;
    }
    this.holdLease();
    if (!(await this.upload(row, file.path))) throw new LeaseLost();
    this.holdLease();
    await this.advance(this.rowOf(row));
  }

  /** The batch's submissions not ended yet (but `except`), as a key: '' when none. */
  private inFlight(batchId: number, except?: number): string {
    return statement<[number, number], number>(
      this.db,
      `SELECT id FROM openai_batches WHERE batch_id = ? AND state != 'ended' AND id != ? ORDER BY id`,
    )
      .pluck()
      .all(batchId, except ?? 0)
      .join(',');
  }

  private batchSpent(batchId: number): number {
    return statement<[number], number>(this.db, 'SELECT coalesce(sum(spent_usd), 0) FROM jobs WHERE batch_id = ?').pluck().get(batchId)!;
  }

  private rowOf(id: number): Row {
    return statement<[number], Row>(this.db, `SELECT ${ROW_COLUMNS} FROM openai_batches WHERE id = ?`).get(id)!;
  }

  /** Uploads the file; false if the row is no longer this driver's to send (given back meanwhile). */
  private async upload(row: number, file: string): Promise<boolean> {
    // An upload shows no progress until it is answered: it may take as long as its size at 100 kB/s.
    const uploadMs = Math.max(this.stallMs, Math.ceil((await fsp.stat(file)).size / 100)); // bytes / (100 bytes per ms)
    const uploaded = await watched(uploadMs, `uploading ${path.basename(file)}`, async ({ signal }) =>
      this.openai().files.create(
        { file: await toFile(fs.createReadStream(file), path.basename(file), { type: 'application/jsonl' }), purpose: 'batch' },
        { signal },
      ),
    );
    const recorded = statement(
      this.db,
      `UPDATE openai_batches SET input_file_id = ?, state = 'uploaded' WHERE id = ? AND state = 'preparing'`,
    ).run(uploaded.id, row).changes;
    await fsp.rm(file, { force: true });
    return recorded === 1;
  }

  /** Moves a submission on by one or more steps, as far as the remote side allows now. */
  private async advance(row: Row) {
    switch (row.state) {
      case 'preparing':
        // Its process died before the upload was recorded: its jobs wait for a new file.
        await fsp.rm(path.join(this.options.dir, `openai-batch-${row.id}.jsonl`), { force: true });
        return this.giveBack(row.id, 'interrupted before its file was uploaded');
      case 'uploaded':
      case 'creating':
        return this.create(row);
      case 'submitted':
        if (row.nextPollAt <= Date.now()) return this.poll(row);
        return;
      case 'collecting':
        return this.collect(row);
    }
  }

  /**
   * Creates the remote batch, marking the row `creating` first: a driver that finds a row `creating`
   * (it died during the call) first looks for a batch with this row's metadata, so it never creates two.
   */
  private async create(row: Row) {
    const client = this.openai();
    this.holdLease();
    if (row.state === 'creating') {
      const found = await watched(this.stallMs, 'listing the remote batches', async (watch) => {
        for await (const remote of client.batches.list({ limit: 100 }, { signal: watch.signal })) {
          watch.progress();
          if (remote.input_file_id === row.inputFileId && remote.metadata?.loupe_submission === String(row.id)) return remote.id;
          if (remote.created_at * 1000 < row.createdAt - 60_000) break; // older than the row: it is not there
        }
        return undefined;
      });
      if (found) return this.recordCreated(row.id, found);
      this.holdLease();
    } else if (
      statement(this.db, `UPDATE openai_batches SET state = 'creating' WHERE id = ? AND state = 'uploaded'`).run(row.id).changes !== 1
    ) {
      return; // another driver moved it on meanwhile
    }
    const created = await watched(this.stallMs, 'creating the remote batch', ({ signal }) =>
      client.batches.create(
        {
          input_file_id: row.inputFileId!,
          endpoint: this.hooksOf(row.kind).endpoint,
          completion_window: '24h',
          metadata: { loupe_submission: String(row.id), loupe_batch: String(row.batchId) },
        },
        { signal },
      ),
    );
    this.recordCreated(row.id, created.id);
    const { jobs, bytes } = statement<[number], { jobs: number; bytes: number }>(
      this.db,
      'SELECT jobs, input_bytes AS bytes FROM openai_batches WHERE id = ?',
    ).get(row.id)!;
    this.emit({ type: 'submitted', row: row.id, jobs, bytes, remoteId: created.id });
  }

  private recordCreated(row: number, remoteId: string) {
    statement(
      this.db,
      `UPDATE openai_batches SET remote_id = ?, state = 'submitted', remote_status = 'validating', submitted_at = ?, next_poll_at = ?
       WHERE id = ? AND state = 'creating'`,
    ).run(remoteId, Date.now(), Date.now() + this.pollMs, row);
  }

  /** Asks for the remote batch's status; a failed poll (a 500, no connection) is tried again later, backing off. */
  private async poll(row: Row) {
    let remote: OpenAI.Batch;
    this.holdLease();
    try {
      remote = await watched(this.stallMs, `polling ${row.remoteId}`, ({ signal }) =>
        this.openai().batches.retrieve(row.remoteId!, { signal }),
      );
    } catch (error) {
      const failures = row.pollFailures + 1;
      const delay = Math.min(this.pollMs * 2 ** Math.min(failures, 6), 15 * 60_000);
      statement(this.db, 'UPDATE openai_batches SET poll_failures = ?, next_poll_at = ?, error = ? WHERE id = ?').run(
        failures,
        Date.now() + delay,
        `poll ${failures} failed: ${error instanceof Error ? error.message : String(error)}`,
        row.id,
      );
      return;
    }
    const terminal = TERMINAL.has(remote.status);
    statement(
      this.db,
      `UPDATE openai_batches SET remote_status = ?, poll_failures = 0, error = ?, next_poll_at = ?, output_file_id = ?, error_file_id = ?,
         state = CASE WHEN ? THEN 'collecting' ELSE state END WHERE id = ?`,
    ).run(
      remote.status,
      remote.errors?.data?.map((e) => e.message).join('; ') || null,
      Date.now() + this.pollMs,
      remote.output_file_id ?? null,
      remote.error_file_id ?? null,
      terminal ? 1 : 0,
      row.id,
    );
    if (terminal) await this.collect(this.rowOf(row.id));
  }

  /**
   * Applies a finished batch's output and error files to its jobs, then ends what is left: a failed
   * batch (the file was refused) fails them with its errors; jobs with no line or a line that never
   * ran (expired, cancelled) go back to the queue. Safe to run again after a crash: only jobs the
   * submission still holds are touched.
   */
  private async collect(row: Row) {
    const holder = holderOf(row.id);
    const hooks = this.hooksOf(row.kind);
    const counts = { succeeded: 0, failed: 0, requeued: 0 };
    const durationMs = Date.now() - (row.submittedAt ?? row.createdAt);
    for (const [fileId, label] of [
      [row.outputFileId, 'output file'],
      [row.errorFileId, 'error file'],
    ] as const) {
      if (!fileId) continue;
      this.holdLease();
      // Each line read is progress: a download that stalls is aborted, one that moves is never cut.
      const watch = new StallWatch(this.stallMs, `downloading the ${label} ${fileId}`);
      try {
        const response = await this.openai().files.content(fileId, { signal: watch.signal });
        const simulated = isSimulated(response.headers);
        let lines = 0;
        for await (const result of readResults(response.body!, `${label} ${fileId}`)) {
          watch.progress();
          if (++lines % RENEW_EVERY === 0) this.holdLease();
          if ('problem' in result) {
            this.emit({ type: 'problem', row: row.id, message: result.problem });
            continue;
          }
          const job = statement<[number, string], Omit<HeldJob, 'params'> & { params: string }>(
            this.db,
            `SELECT ${HELD_COLUMNS} FROM jobs WHERE id = ? AND status = 'running' AND locked_by = ?`,
          ).get(result.jobId, holder);
          if (!job) continue; // already applied (a collection resumed), or not this submission's
          const outcome = await this.applyLine({ ...job, params: JSON.parse(job.params) }, holder, result, hooks, {
            simulated,
            durationMs,
          });
          // A line that never ran leaves its job held: it is requeued below with the jobs that have no line.
          if (outcome !== 'not_run') counts[outcome]++;
        }
      } catch (error) {
        throw watch.reason(error);
      } finally {
        watch.end();
      }
    }
    const left = this.heldJobs(holder);
    if (row.remoteStatus === 'failed') {
      const reason = statement<[number], string | null>(this.db, 'SELECT error FROM openai_batches WHERE id = ?').pluck().get(row.id);
      for (const job of left) this.endHeld(job.id, holder, 'failed', `the Batch API refused the file: ${reason ?? 'no reason given'}`, 0);
      counts.failed += left.length;
    } else {
      counts.requeued = this.requeue(
        row.batchId,
        holder,
        left.map((job) => job.id),
      );
    }
    statement(this.db, `UPDATE openai_batches SET state = 'ended', ended_at = ? WHERE id = ?`).run(Date.now(), row.id);
    this.emit({ type: 'ended', row: row.id, remoteStatus: row.remoteStatus ?? 'unknown', ...counts });
  }

  private async applyLine(
    job: HeldJob,
    holder: string,
    result: LineResult,
    hooks: BatchHooks,
    meta: { simulated: boolean; durationMs: number },
  ): Promise<'succeeded' | 'failed' | 'not_run'> {
    if (result.outcome === 'not_run') return 'not_run';
    if (result.outcome === 'failed') {
      // An error answer is not billed: the reservation goes back.
      this.endHeld(job.id, holder, 'failed', result.message, 0);
      return 'failed';
    }
    let outcome;
    try {
      outcome = await hooks.apply(job, {
        body: result.body,
        requestId: result.requestId,
        simulated: meta.simulated,
        priceFactor: BATCH_PRICE_FACTOR,
        durationMs: meta.durationMs,
      });
    } catch (error) {
      // Answered and billed, but unusable: the reservation stays counted (its usage is not trusted either).
      this.endHeld(job.id, holder, 'failed', error instanceof Error ? error.message : String(error), job.costUsd);
      return 'failed';
    }
    return writeTransaction(this.db, () => {
      const held = statement<[number, string], { cancelRequested: number; costUsd: number }>(
        this.db,
        `SELECT cancel_requested AS cancelRequested, cost_usd AS costUsd FROM jobs WHERE id = ? AND status = 'running' AND locked_by = ?`,
      ).get(job.id, holder);
      if (!held) return 'failed';
      // Its reservation (cost_usd while held) becomes what the line cost.
      const spent = statement(this.db, 'UPDATE jobs SET spent_usd = max(0, spent_usd - ? + ?) WHERE id = ?');
      spent.run(held.costUsd, outcome.costUsd, job.id);
      if (held.cancelRequested) {
        statement(
          this.db,
          `UPDATE jobs SET status = 'cancelled', error = 'cancelled while its batch ran', cost_usd = ?, finished_at = ?,
             locked_by = NULL, locked_until = NULL WHERE id = ?`,
        ).run(outcome.costUsd, Date.now(), job.id);
        return 'failed';
      }
      const ids = outcome.commit();
      statement(
        this.db,
        `UPDATE jobs SET status = 'succeeded', result_candidate_id = ?, result_instruction_id = ?, cost_usd = ?, error = NULL,
           finished_at = ?, locked_by = NULL, locked_until = NULL WHERE id = ?`,
      ).run(ids.candidateId ?? null, ids.instructionId ?? null, outcome.costUsd, Date.now(), job.id);
      return 'succeeded';
    });
  }

  /** Ends a held job; its reservation (cost_usd) becomes `keptUsd` (0: released). */
  private endHeld(jobId: number, holder: string, status: 'failed' | 'cancelled', error: string, keptUsd: number) {
    statement(
      this.db,
      `UPDATE jobs SET status = ?, error = ?, finished_at = ?, spent_usd = max(0, spent_usd - cost_usd + ?), cost_usd = ?,
         locked_by = NULL, locked_until = NULL WHERE id = ? AND status = 'running' AND locked_by = ?`,
    ).run(status, error, Date.now(), keptUsd, keptUsd, jobId, holder);
  }

  /**
   * Jobs that did not run go back, their reservation released: to the Batch API again or to the job
   * worker, as the batch's `via` says (`auto`: the Batch API while the batch's unrun jobs, these with
   * those waiting for a file and those other submissions hold, are at least LOUPE_BATCH_MIN_ITEMS).
   * A switch to the job worker takes the waiting jobs along, so none is left held with no file to come.
   */
  private requeue(batchId: number, holder: string, ids: number[]): number {
    if (ids.length === 0) return 0;
    return writeTransaction(this.db, () => {
      const via = statement<[number], string>(this.db, 'SELECT via FROM batches WHERE id = ?').pluck().get(batchId)!;
      const unrun = statement<[number], number>(this.db, `SELECT count(*) FROM jobs WHERE batch_id = ? AND status IN ('queued', 'running')`)
        .pluck()
        .get(batchId)!;
      const viaBatch = via === 'batch' || (via === 'auto' && unrun >= this.config.LOUPE_BATCH_MIN_ITEMS);
      statement(this.db, 'UPDATE batches SET path = ? WHERE id = ?').run(viaBatch ? 'batch' : 'sync', batchId);
      if (!viaBatch) {
        statement(
          this.db,
          `UPDATE jobs SET status = 'queued', locked_by = NULL, locked_until = NULL, run_after = 0,
             spent_usd = max(0, spent_usd - cost_usd), cost_usd = 0 WHERE batch_id = ? AND status = 'running' AND locked_by = ?`,
        ).run(batchId, PENDING_HOLDER);
      }
      const back = viaBatch
        ? statement(
            this.db,
            `UPDATE jobs SET locked_by = '${PENDING_HOLDER}', spent_usd = max(0, spent_usd - cost_usd), cost_usd = 0
             WHERE id = ? AND status = 'running' AND locked_by = ?`,
          )
        : statement(
            this.db,
            `UPDATE jobs SET status = 'queued', locked_by = NULL, locked_until = NULL, run_after = 0,
               spent_usd = max(0, spent_usd - cost_usd), cost_usd = 0 WHERE id = ? AND status = 'running' AND locked_by = ?`,
          );
      let requeued = 0;
      for (const id of ids) requeued += back.run(id, holder).changes;
      return requeued;
    });
  }

  /** A submission that will not be sent: its jobs wait for the next file, reservations released. */
  private giveBack(row: number, reason: string) {
    writeTransaction(this.db, () => {
      const ended = statement(
        this.db,
        `UPDATE openai_batches SET state = 'ended', error = ?, ended_at = ? WHERE id = ? AND state != 'ended'`,
      ).run(reason, Date.now(), row).changes;
      if (ended !== 1) return; // given back or ended already
      statement(
        this.db,
        `UPDATE jobs SET locked_by = ?, openai_batch_id = NULL, attempts = max(0, attempts - 1),
           spent_usd = max(0, spent_usd - cost_usd), cost_usd = 0 WHERE status = 'running' AND locked_by = ?`,
      ).run(PENDING_HOLDER, holderOf(row));
    });
  }

  private emit(event: DriverEvent) {
    if (this.options.onEvent) this.options.onEvent(event);
    else if (event.type === 'problem') console.error(`loupe batch driver: ${event.message}`);
  }
}
