/**
 * A deadline for a remote step that counts from its last sign of progress: `signal` aborts when
 * `progress()` has not been called for `ms`. A request the server stops answering (a download
 * that stalls mid-stream) then ends with an error instead of holding its caller, and a lease
 * renewed meanwhile, forever; a long download that keeps moving is never cut.
 */
export class StallWatch {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout;

  constructor(
    private readonly ms: number,
    private readonly what: string,
  ) {
    this.timer = this.arm();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  progress() {
    clearTimeout(this.timer);
    this.timer = this.arm();
  }

  end() {
    clearTimeout(this.timer);
  }

  /** The error to report for a failed step: the stall, when that is what ended it (the SDK says only "aborted"). */
  reason(error: unknown): unknown {
    return this.signal.aborted ? this.signal.reason : error;
  }

  private arm() {
    const timer = setTimeout(() => this.controller.abort(new Error(`${this.what}: no progress for ${this.ms} ms`)), this.ms);
    timer.unref();
    return timer;
  }
}

/** Runs one remote step under a StallWatch, ended when the step ends either way. */
export async function watched<T>(ms: number, what: string, step: (watch: StallWatch) => Promise<T>): Promise<T> {
  const watch = new StallWatch(ms, what);
  try {
    return await step(watch);
  } catch (error) {
    throw watch.reason(error);
  } finally {
    watch.end();
  }
}
