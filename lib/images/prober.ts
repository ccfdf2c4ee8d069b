import { Worker } from 'node:worker_threads';
import { FolderCache } from './open';
import { probeOrReason, type ImageInfo, type ImageLocation } from './probe';
import { probeHeaderOnly } from './probe-header';

/** An image's facts, or the reason it is refused. */
export type ProbeResult = ImageInfo | string;

type Mode = 'checked' | 'header-only';
let mode: Mode = 'checked';

/**
 * bench:import only: make probers created from now on use the old header-only probe, so
 * the bench can time the same import with and without the image checks in one run. Not
 * reachable from configuration: an import always checks its images.
 */
export function useHeaderOnlyProbeForBench(on: boolean) {
  mode = on ? 'header-only' : 'checked';
}

/**
 * Checks images on a worker thread, so a bulk import reads images on the second core
 * while the main thread parses metadata and writes to the database. Falls back to
 * probing inline where a worker cannot start (e.g. inside a bundle).
 */
export class ImageProber {
  private worker?: Worker;
  private nextId = 0;
  private readonly mode = mode;
  private readonly folders = new FolderCache(); // for inline probing: one import's folders
  private readonly waiting = new Map<number, { images: ImageLocation[]; resolve: (r: ProbeResult[]) => void }>();

  constructor() {
    try {
      this.worker = new Worker(new URL('./probe-worker.mjs', import.meta.url), { workerData: { mode: this.mode } });
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

  private readonly inline = (image: ImageLocation): ProbeResult =>
    this.mode === 'header-only' ? probeHeaderOnly(image) : probeOrReason(image, this.folders);

  /** The worker died or never loaded: answer what it had and everything after on this thread. */
  private fallBackInline() {
    this.worker = undefined;
    for (const { images, resolve } of this.waiting.values()) resolve(images.map(this.inline));
    this.waiting.clear();
  }
}
