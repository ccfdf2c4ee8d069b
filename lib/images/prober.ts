import { Worker } from 'node:worker_threads';
import { probeImage, type ImageInfo } from './probe';

/** An image's header facts, or the reason it could not be read. */
export type ProbeResult = ImageInfo | string;

/**
 * Reads image headers on a worker thread, so a bulk import checks images on the second
 * core while the main thread parses metadata and writes to the database. Falls back to
 * probing inline where a worker cannot start (e.g. inside a bundle).
 */
export class ImageProber {
  private worker?: Worker;
  private nextId = 0;
  private readonly waiting = new Map<number, { files: string[]; resolve: (r: ProbeResult[]) => void }>();

  constructor() {
    try {
      this.worker = new Worker(new URL('./probe-worker.mjs', import.meta.url));
      this.worker.on('message', ({ id, results }: { id: number; results: ProbeResult[] }) => {
        this.waiting.get(id)?.resolve(results);
        this.waiting.delete(id);
        if (this.waiting.size === 0) this.worker?.unref(); // idle: do not keep the process alive
      });
      this.worker.on('error', () => this.fallBackInline());
      this.worker.unref();
    } catch {
      this.worker = undefined;
    }
  }

  probe(files: string[]): Promise<ProbeResult[]> {
    if (!this.worker) return Promise.resolve(files.map(probeInline));
    const id = this.nextId++;
    this.worker.ref(); // an answer is due: keep the process alive until it comes
    return new Promise((resolve) => {
      this.waiting.set(id, { files, resolve });
      this.worker!.postMessage({ id, files });
    });
  }

  async close() {
    await this.worker?.terminate();
  }

  /** The worker died or never loaded: answer what it had and everything after on this thread. */
  private fallBackInline() {
    this.worker = undefined;
    for (const { files, resolve } of this.waiting.values()) resolve(files.map(probeInline));
    this.waiting.clear();
  }
}

function probeInline(file: string): ProbeResult {
  try {
    return probeImage(file);
  } catch (error) {
    return (error as Error).message;
  }
}
