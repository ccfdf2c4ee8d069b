/**
 * Heavy reads off the server's thread. The team statistics (about 3 s of CPU at 100k verdicts,
 * most of it the bootstrap) and the dashboard's first call (counting 30 days of verdicts) run on
 * one worker thread with its own connection to the same database file, so claims and verdicts
 * never wait behind them: the event loop only posts a message and receives plain data.
 *
 * The worker is started on first use and kept (its connection and the tasks' caches with it),
 * unreferenced while idle so it never keeps a process alive. Where it cannot start or dies, and
 * with LOUPE_OFFLOAD=off, a task runs on the calling thread as before.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Db } from '@/db';
import { ERROR_STATUS, LoupeError, type ErrorCode } from '@/lib/errors';

/**
 * A read the worker may run: an export of a module of the source tree (found from the repo root)
 * that takes the db first and returns plain data (it crosses the thread by structured clone).
 * `run` is the same function, for running on the calling thread. Tasks are declared beside their
 * functions (lib/team/stats.ts, lib/dashboard/offload.ts), so this folder imports none of them.
 */
export interface OffloadTask<Args extends unknown[], Result> {
  module: string;
  name: string;
  run: (db: Db, ...args: Args) => Result;
}

interface Waiting {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  /** What to run on this thread if the worker dies before it answers. */
  inline: () => unknown;
}

type Reply =
  { ready: true } | { id: number; ok: true; result: unknown } | { id: number; ok: false; error: { message: string; code?: string } };

/** The worker's entry, found from the repo root (cwd), where `next start`, the CLI and the tests run. */
const workerFile = () => path.join(/*turbopackIgnore: true*/ process.cwd(), 'lib', 'offload', 'worker.mjs');

function errorOf({ message, code }: { message: string; code?: string }): Error {
  if (code && Object.hasOwn(ERROR_STATUS, code)) return new LoupeError(code as ErrorCode, message);
  return Object.assign(new Error(message), code ? { code } : {});
}

class OffloadWorker {
  private worker?: Worker;
  private failed = false;
  private nextId = 0;
  private readonly waiting = new Map<number, Waiting>();

  run<Args extends unknown[], Result>(db: Db, task: OffloadTask<Args, Result>, args: Args): Promise<Awaited<Result>> {
    const inline = () => task.run(db, ...args);
    const worker = this.start();
    if (!worker) return new Promise((resolve) => resolve(inline() as Awaited<Result>)); // a promise (an async task) is followed
    const id = this.nextId++;
    worker.ref(); // an answer is due: keep the process alive until it comes
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (result: unknown) => void, reject, inline });
      worker.postMessage({ id, file: db.$client.name, module: task.module, name: task.name, args });
    });
  }

  /** Starts the worker and has it load these task modules now (see warmOffload). */
  preload(modules: string[]) {
    this.start()?.postMessage({ preload: modules });
  }

  private start(): Worker | undefined {
    if (this.worker || this.failed || process.env.LOUPE_OFFLOAD === 'off') return this.worker;
    try {
      const worker = new Worker(workerFile());
      worker.on('message', (reply: Reply) => {
        if ('ready' in reply) return;
        const waiting = this.waiting.get(reply.id);
        this.waiting.delete(reply.id);
        if (this.waiting.size === 0) worker.unref(); // idle: do not keep the process alive
        if (!waiting) return;
        if (reply.ok) waiting.resolve(reply.result);
        else waiting.reject(errorOf(reply.error));
      });
      worker.on('error', (error) => this.fallBack(error));
      worker.on('exit', () => this.fallBack(new Error('the offload worker exited')));
      worker.unref();
      this.worker = worker;
    } catch (error) {
      this.fallBack(error);
    }
    return this.worker;
  }

  /** The worker died or never loaded: what it had, and everything after, runs on this thread. */
  private fallBack(error: unknown) {
    if (!this.failed)
      console.error(
        `loupe: offload worker unavailable, running on the main thread: ${error instanceof Error ? error.message : String(error)}`,
      );
    this.failed = true;
    this.worker = undefined;
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const { resolve, reject, inline } of waiting) {
      try {
        resolve(inline());
      } catch (inlineError) {
        reject(inlineError as Error);
      }
    }
  }
}

// Kept on globalThis so Next's dev-mode module reloads share one worker.
const holder = globalThis as unknown as { __loupeOffload?: OffloadWorker };

/** Runs a task on the offload worker against `db`'s file; see the top of this file. */
export function offThread<Args extends unknown[], Result>(
  db: Db,
  task: OffloadTask<Args, Result>,
  ...args: Args
): Promise<Awaited<Result>> {
  holder.__loupeOffload ??= new OffloadWorker();
  return holder.__loupeOffload.run(db, task, args);
}

/**
 * Starts the offload worker with these task modules loaded (the server calls it at start), so the
 * first team or dashboard request does not wait seconds for the worker's module loading.
 */
export function warmOffload(modules: string[]) {
  holder.__loupeOffload ??= new OffloadWorker();
  holder.__loupeOffload.preload(modules);
}
