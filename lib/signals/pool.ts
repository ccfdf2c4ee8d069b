import os from 'node:os';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** A task for a worker: its id, what to do and the arguments (structured-cloned). */
interface Request {
  id: number;
  op: string;
  args: unknown[];
}

type Answer = { id: number; result: unknown } | { id: number; error: { message: string; name?: string } };

interface Thread {
  worker: Worker;
  busy: number;
}

/** Threads for the signals: LOUPE_SIGNALS_THREADS, else one per core. */
export function signalsThreads(): number {
  const configured = Number(process.env.LOUPE_SIGNALS_THREADS);
  return Number.isInteger(configured) && configured >= 0 ? configured : os.availableParallelism();
}

/**
 * A small pool of worker threads that run named operations (`ops`) of one module, so the
 * pixel work (decoding, resizing, SSIM, pHash) keeps off the calling thread. Each worker takes
 * several tasks at once (most of a task waits on libvips), and a task goes to the least busy
 * one. Where a worker cannot start (inside a bundle, or 0 threads asked for) or dies, tasks run
 * on this thread through the same operations, so the answers are the same either way.
 * Idle workers do not keep the process alive.
 */
export class WorkerPool<Ops extends Record<string, (...args: never[]) => Promise<unknown>>> {
  private threads: Thread[] = [];
  private nextId = 0;
  private readonly waiting = new Map<
    number,
    { thread: Thread; request: Request; resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();

  constructor(
    entry: () => URL,
    options: WorkerOptions,
    private readonly ops: Ops,
    size = signalsThreads(),
  ) {
    for (let i = 0; i < size; i++) {
      try {
        const thread: Thread = { worker: new Worker(entry(), options), busy: 0 };
        thread.worker.on('message', (answer: Answer) => this.answered(thread, answer));
        thread.worker.on('error', () => this.lost(thread));
        thread.worker.on('exit', () => this.lost(thread));
        thread.worker.unref();
        this.threads.push(thread);
      } catch {
        break;
      }
    }
  }

  /** How many worker threads are running (0: everything runs on this thread). */
  get size(): number {
    return this.threads.length;
  }

  run<K extends keyof Ops & string>(op: K, ...args: Parameters<Ops[K]>): Promise<Awaited<ReturnType<Ops[K]>>> {
    const thread = this.threads.reduce<Thread | undefined>((best, t) => (!best || t.busy < best.busy ? t : best), undefined);
    if (!thread) return this.ops[op](...args) as Promise<Awaited<ReturnType<Ops[K]>>>;
    const request: Request = { id: this.nextId++, op, args };
    return new Promise((resolve, reject) => {
      this.waiting.set(request.id, { thread, request, resolve: resolve as (v: unknown) => void, reject });
      if (thread.busy++ === 0) thread.worker.ref(); // an answer is due: keep the process alive until it comes
      thread.worker.postMessage(request);
    });
  }

  /** Stops the threads; a task still waiting on one is refused (lost() would skip it: the thread is no longer ours). */
  async close() {
    const threads = this.threads;
    this.threads = [];
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    await Promise.all(threads.map((t) => t.worker.terminate()));
    for (const task of waiting) task.reject(new Error('the signals thread pool was closed before this task finished'));
  }

  private answered(thread: Thread, answer: Answer) {
    const task = this.waiting.get(answer.id);
    if (!task) return;
    this.waiting.delete(answer.id);
    if (--thread.busy === 0) thread.worker.unref();
    if ('error' in answer) {
      const error = new Error(answer.error.message);
      if (answer.error.name) error.name = answer.error.name;
      task.reject(error);
    } else task.resolve(answer.result);
  }

  /** A worker died or never loaded: its tasks (and every later one it would have had) run elsewhere. */
  private lost(thread: Thread) {
    if (!this.threads.includes(thread)) return;
    this.threads = this.threads.filter((t) => t !== thread);
    void thread.worker.terminate();
    for (const [id, task] of this.waiting) {
      if (task.thread !== thread) continue;
      this.waiting.delete(id);
      const { op, args } = task.request;
      this.run(op as keyof Ops & string, ...(args as Parameters<Ops[keyof Ops & string]>)).then(task.resolve, task.reject);
    }
  }
}
