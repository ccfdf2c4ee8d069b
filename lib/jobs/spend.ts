import OpenAI from 'openai';
import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { writeTransaction } from '@/db/transaction';

/**
 * Money a job commits, kept in jobs.spent_usd so a batch budget is a hard cap: before a paid
 * call is sent its worst-case cost is reserved (committed to the database, so a crash mid-call
 * leaves it counted); after the call the reservation is corrected to the actual cost, or to
 * nothing when the API answered with an error (an error answer is not billed). A call cut off
 * (timeout, lost connection, abort, crash) stays counted at its reservation: it may have run.
 * Reserving the worst case before every call, in one transaction with the budget check, keeps
 * concurrent calls from overshooting the budget together.
 */

/** The batch's budget cannot cover another call: the job ends, the batch stops. */
export class BudgetSpentError extends Error {}

/** The worker no longer holds the job (its lock expired and another took it): send nothing. */
export class LockLostError extends Error {}

/** What a runner gets to pay for its calls with. */
export interface Spend {
  /**
   * Runs one paid API call: reserves `reserveUsd` first (throws BudgetSpentError or
   * LockLostError and sends nothing when it cannot), then corrects to `actualUsd(result)`.
   */
  paid<T>(reserveUsd: number, call: () => Promise<T>, actualUsd: (result: T) => number): Promise<T>;
  /**
   * Reserves the worst case of several calls at once (one budget check), before the first is
   * sent; `paid` then draws on it. So a job of two calls is refused before it pays for the first,
   * never between them (the retry would pay for the first again).
   */
  reserveAhead(usd: number): void;
}

/** Commits `usd` to the job, in one transaction with the budget check (budget: the job's batch's). */
export function reserveSpend(db: Db, jobId: number, workerId: string, usd: number): void {
  writeTransaction(db, () => {
    const job = statement<[number, string], { batchId: number | null }>(
      db,
      `SELECT batch_id AS batchId FROM jobs WHERE id = ? AND status = 'running' AND locked_by = ?`,
    ).get(jobId, workerId);
    if (!job) throw new LockLostError(`job ${jobId} is no longer held by this worker; nothing was sent`);
    // Reserving nothing (a call already covered by reserveAhead) only checks the lock.
    if (job.batchId !== null && usd > 0) {
      const { spent, budget } = batchSpend(db, job.batchId);
      if (spent + usd > budget + 1e-9) {
        throw new BudgetSpentError(
          `batch budget spent: $${spent.toFixed(4)} of $${budget.toFixed(2)} committed, this call may cost up to $${usd.toFixed(4)}`,
        );
      }
    }
    statement(db, 'UPDATE jobs SET spent_usd = spent_usd + ? WHERE id = ?').run(usd, jobId);
  });
}

/** Replaces a reservation by what the call cost (0: it was not billed). */
export function correctSpend(db: Db, jobId: number, reservedUsd: number, actualUsd: number): void {
  statement(db, 'UPDATE jobs SET spent_usd = max(0, spent_usd - ? + ?) WHERE id = ?').run(reservedUsd, actualUsd, jobId);
}

/** Money committed to a batch's jobs (all attempts, all statuses) and its budget. */
export function batchSpend(db: Db, batchId: number): { spent: number; budget: number } {
  return (
    statement<[number], { spent: number; budget: number }>(
      db,
      `SELECT (SELECT coalesce(sum(spent_usd), 0) FROM jobs WHERE batch_id = b.id) AS spent, b.budget_usd AS budget
     FROM batches b WHERE b.id = ?`,
    ).get(batchId) ?? { spent: 0, budget: Infinity }
  );
}

/** An error answer from the API proves the call was not billed; anything else (no answer) may have been. */
export function provenUnbilled(error: unknown): boolean {
  return error instanceof OpenAI.APIError && !(error instanceof OpenAI.APIConnectionError) && typeof error.status === 'number';
}

/**
 * The Spend of one job run by one worker. `releaseUnused` (the worker calls it when the runner
 * ends) gives back what reserveAhead held for calls never sent.
 */
export function jobSpend(db: Db, jobId: number, workerId: string): Spend & { releaseUnused(): void } {
  let ahead = 0;
  return {
    reserveAhead(usd) {
      reserveSpend(db, jobId, workerId, usd);
      ahead += usd;
    },
    async paid(reserveUsd, call, actualUsd) {
      const covered = Math.min(ahead, reserveUsd);
      reserveSpend(db, jobId, workerId, reserveUsd - covered);
      ahead -= covered;
      let result;
      try {
        result = await call();
      } catch (error) {
        if (provenUnbilled(error)) correctSpend(db, jobId, reserveUsd, 0);
        throw error;
      }
      correctSpend(db, jobId, reserveUsd, actualUsd(result));
      return result;
    },
    releaseUnused() {
      if (ahead > 0) correctSpend(db, jobId, ahead, 0);
      ahead = 0;
    },
  };
}
