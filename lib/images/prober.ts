import { Worker } from 'node:worker_threads';
import { FolderCache } from './open';
import { probeOrReason, type ImageInfo, type ImageLocation } from './probe';

/** An image's facts, or the reason it is refused. */
export type ProbeResult = ImageInfo | string;

/**
 * How images are probed: a worker module (answering `{id, images}` with `{id, results}`),
 * and the same probe for this thread where a worker cannot start. An import always uses
 * CHECKED_PROBE; bench:import passes its own (the old header-only probe, kept in bench/)
 * to time the checks against it in one run.
 */
export interface ProbeKind {
  worker: () => URL;
  inline: () => (image: ImageLocation) => ProbeResult;
}

export const CHECKED_PROBE: ProbeKind = {
  worker: () => new URL('./probe-worker.mjs', import.meta.url),
  inline: () => {
    const folders = new FolderCache(); // one import's folders
    return (image) => probeOrReason(image, folders);
  },
};

/**
 * Checks images on a worker thread, so a bulk import reads images on the second core
 * while the main thread parses metadata and writes to the database. Falls back to
 * probing inline where a worker cannot start (e.g. inside a bundle).
 */
export class ImageProber {
  private worker?: Worker;
  private nextId = 0;
  private readonly inline: (image: ImageLocation) => ProbeResult;
  private readonly waiting = new Map<number, { images: ImageLocation[]; resolve: (r: ProbeResult[]) => void }>();

  constructor(kind: ProbeKind = CHECKED_PROBE) {
    this.inline = kind.inline();
    try {
      this.worker = new Worker(kind.worker());
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

  probe(images: ImageLocation[]): Promise<ProbeResult[]> {
    if (!this.worker) return Promise.resolve(images.map(this.inline));
    const id = this.nextId++;
    this.worker.ref(); // an answer is due: keep the process alive until it comes
    return new Promise((resolve) => {
      this.waiting.set(id, { images, resolve });
      this.worker!.postMessage({ id, images });
    });
  }

  async close() {
    await this.worker?.terminate();
  }

  /** The worker died or never loaded: answer what it had and everything after on this thread. */
  private fallBackInline() {
    this.worker = undefined;
    for (const { images, resolve } of this.waiting.values()) resolve(images.map(this.inline));
    this.waiting.clear();
  }
}
