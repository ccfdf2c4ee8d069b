import os from 'node:os';
import type { Db } from '@/db';
import { backoffMs, classifyError } from './errors';
import {
  claimJob,
  endJob,
  finishJob,
  renewJobLock,
  requeueOrphans,
  retryJobLater,
  workerIdentity,
  type JobRow,
  stopBatch,
  waitForBudget,
} from './jobs';
import type { JobRunner } from './kind';
import { KINDS, type JobKind } from './kinds';
import { BudgetSpentError, jobSpend, LockLostError, type Spend } from './spend';

export interface WorkerOptions {
  /** API calls in flight at once (and, with `preparing` 0, jobs running at once). */
  concurrency: number;
  /**
   * Jobs beyond `concurrency` that may run at once, doing their own work (a regeneration pads its
   * image before its call and crops and stores the answer after it) while `concurrency` calls are
   * in flight; their calls wait for a free slot. Without it a job holds its slot through that work
   * too, so C jobs make fewer than C calls at a time (bench:regenerate). Default 0.
   */
  preparing?: number;
  maxAttempts: number;
  /** The runners of the kinds it runs (lib/jobs/worker-kinds.ts builds them from the kinds' list). */
  runners: Partial<Record<JobKind, JobRunner>>;
  /** Takes the next job (default `claimJob` limited to the kinds it has runners for, so the others stay queued). */
  claim?: (db: Db, workerId: string, lockMs: number) => JobRow | undefined;
  /** How often an idle worker looks for due jobs. */
  pollMs?: number;
  /** Runs beside the worker, started and stopped with it: the OpenAI batch driver (lib/jobs/batch-driver.ts, built by workerKinds). */
  driver?: { start(): unknown; stop(): Promise<void> };
  /** A running job's lock lasts this long unless renewed (every lockMs / 3). */
  lockMs?: number;
  backoffBaseMs?: number;
  onEvent?: (event: { job: number; type: 'succeeded' | 'retry' | 'failed' | 'cancelled' | 'discarded'; message?: string }) => void;
}

/** The server's worker lets one job per core work beside the calls in flight (WorkerOptions.preparing). */
export const defaultPreparing = () => os.availableParallelism();

/**
 * Runs queued jobs, at most `concurrency` + `preparing` at once and at most `concurrency` API calls at once, in this process. Jobs left running by
 * a process that died go back to the queue when a worker starts.
 */
export class JobWorker {
  readonly id = workerIdentity();
  private readonly running = new Map<number, AbortController>();
  private timer?: NodeJS.Timeout;
  private stopped = true;
  private idle: (() => void)[] = [];
  private readonly pollMs: number;
  private readonly lockMs: number;
  private readonly backoffBaseMs: number;
  private readonly claim: NonNullable<WorkerOptions['claim']>;
  private readonly calls: Slots;

  constructor(
    private readonly db: Db,
    private readonly options: WorkerOptions,
  ) {
    this.pollMs = options.pollMs ?? 500;
    this.lockMs = options.lockMs ?? 30_000;
    this.backoffBaseMs = options.backoffBaseMs ?? 2_000;
    this.calls = new Slots(options.concurrency);
    const kinds = KINDS.map((kind) => kind.id).filter((id) => options.runners[id]);
    this.claim =
      options.claim ??
      (kinds.length === KINDS.length ? claimJob : (db, workerId, lockMs) => claimJob(db, workerId, lockMs, Date.now(), kinds));
  }

  start() {
    if (!this.stopped) return this;
    this.stopped = false;
    requeueOrphans(this.db);
    this.pump();
    this.options.driver?.start();
    return this;
  }

  /** Stops taking jobs; running ones finish (or are aborted with `abort: true`). */
  async stop({ abort = false } = {}) {
    this.stopped = true;
    clearTimeout(this.timer);
    if (abort) for (const controller of this.running.values()) controller.abort();
    const driver = this.options.driver?.stop();
    if (this.running.size) await new Promise<void>((resolve) => this.idle.push(resolve));
    await driver;
  }

  /** New work was queued: look now rather than at the next poll. */
  wake() {
    if (!this.stopped) this.pump();
  }

  /** Aborts a job this worker is running (the database already says cancel). */
  abort(jobId: number) {
    this.running.get(jobId)?.abort();
  }

  get active() {
    return this.running.size;
  }

  private pump() {
    clearTimeout(this.timer);
    try {
      while (!this.stopped && this.running.size < this.options.concurrency + (this.options.preparing ?? 0)) {
        const job = this.claim(this.db, this.id, this.lockMs);
        if (!job) break;
        void this.run(job).catch((error) => this.report(job.id, error));
      }
    } catch (error) {
      // A busy or failing database must not take the server down: try again at the next poll.
      this.report(undefined, error);
    }
    if (!this.stopped) this.timer = setTimeout(() => this.pump(), this.pollMs);
  }

  private report(job: number | undefined, error: unknown) {
    console.error(`loupe worker${job ? ` (job ${job})` : ''}: ${error instanceof Error ? error.message : String(error)}`);
  }

  private async run(job: JobRow) {
    const controller = new AbortController();
    this.running.set(job.id, controller);
    const heartbeat = setInterval(() => {
      try {
        const lock = renewJobLock(this.db, job.id, this.id, this.lockMs);
        if (!lock || lock.cancelRequested) controller.abort();
      } catch (error) {
        this.report(job.id, error); // the lock is renewed at the next beat, well before it expires
      }
    }, this.lockMs / 3);
    const spend = jobSpend(this.db, job.id, this.id);
    // Every paid call takes one of the `concurrency` call slots for its duration.
    const gated: Spend = {
      ...spend,
      paid: (reserveUsd, call, actualUsd) => this.calls.run(() => spend.paid(reserveUsd, call, actualUsd), controller.signal),
    };
    try {
      const runner = this.options.runners[job.kind];
      if (!runner) throw new Error(`no runner for ${job.kind} jobs`);
      const outcome = await runner(job, controller.signal, gated);
      const recorded = finishJob(this.db, job.id, this.id, outcome.costUsd, outcome.commit);
      if (recorded) this.emit(job.id, 'succeeded');
      else this.settleAbandoned(job);
    } catch (error) {
      if (controller.signal.aborted || error instanceof LockLostError) this.settleAbandoned(job);
      else if (error instanceof BudgetSpentError) this.settleOverBudget(job, error);
      else this.settleError(job, error);
    } finally {
      clearInterval(heartbeat);
      try {
        spend.releaseUnused();
      } catch (error) {
        this.report(job.id, error); // still counted: the budget stays a cap, just a tighter one
      }
      this.running.delete(job.id);
      if (this.running.size === 0) this.idle.splice(0).forEach((resolve) => resolve());
      if (!this.stopped) queueMicrotask(() => this.pump());
    }
  }

  /** The job was cancelled or its lock lost while it ran: its result is dropped. */
  private settleAbandoned(job: JobRow) {
    const cancelled = renewJobLock(this.db, job.id, this.id, this.lockMs)?.cancelRequested;
    if (cancelled) {
      endJob(this.db, job.id, this.id, 'cancelled', 'cancelled while running');
      this.emit(job.id, 'cancelled');
    } else {
      this.emit(job.id, 'discarded', 'lock lost; another worker owns the job');
    }
  }

  /**
   * The budget cannot pay for the next call (nothing was sent): wait while other calls of the
   * batch may still free some of their reservations; otherwise cancel the job and stop the batch.
   */
  private settleOverBudget(job: JobRow, error: BudgetSpentError) {
    if (waitForBudget(this.db, job, this.id)) return this.emit(job.id, 'retry', error.message);
    endJob(this.db, job.id, this.id, 'cancelled', error.message);
    if (job.batchId !== null) stopBatch(this.db, job.batchId, 'stopped');
    this.emit(job.id, 'cancelled', error.message);
  }

  private settleError(job: JobRow, error: unknown) {
    const { retryable, retryAfterMs, message } = classifyError(error);
    if (retryable && job.attempts < this.options.maxAttempts) {
      const delay = backoffMs(job.attempts, this.backoffBaseMs, retryAfterMs);
      retryJobLater(this.db, job.id, this.id, `attempt ${job.attempts}: ${message}`, Date.now() + delay);
      this.emit(job.id, 'retry', message);
    } else {
      const prefix = retryable ? `gave up after ${job.attempts} attempts: ` : '';
      endJob(this.db, job.id, this.id, 'failed', prefix + message);
      this.emit(job.id, 'failed', message);
    }
  }

  private emit(job: number, type: Parameters<NonNullable<WorkerOptions['onEvent']>>[0]['type'], message?: string) {
    this.options.onEvent?.({ job, type, message });
  }
}

/**
 * At most `size` tasks at once; the others wait their turn, first come first served. A task whose
 * job was cancelled (or lost its lock) while it waited gives up its turn and never runs: nothing is
 * reserved or sent for a job that is already over.
 */
class Slots {
  private readonly waiting: (() => void)[] = [];

  constructor(private free: number) {}

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    if (this.free > 0) this.free--;
    else await this.turn(signal);
    try {
      signal?.throwIfAborted();
      return await task();
    } finally {
      // The slot passes straight to the next in line, so a newcomer cannot take it first.
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }

  /** Waits for a slot handed over by a task that ended; leaves the line if `signal` aborts first. */
  private turn(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const take = () => {
        signal?.removeEventListener('abort', leave);
        resolve();
      };
      const leave = () => {
        const at = this.waiting.indexOf(take);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal!.reason);
      };
      this.waiting.push(take);
      signal?.addEventListener('abort', leave, { once: true });
    });
  }
}
