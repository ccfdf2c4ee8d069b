/**
 * Matches records to their two images in whatever order the stream brings them. Images
 * are never held: each is in the store (or refused) by the time it is known here, and
 * only its reference is kept, so memory is one small entry per image plus the records
 * still waiting for an image (those of a task whose outputs come after its metadata).
 */

/** An image as known: where it is stored and what it is, or why it was refused. */
export type KnownImage<Ref> = { ok: true; ref: Ref } | { ok: false; reason: string };

interface Waiting<R> {
  record: R;
  keys: [string, string];
}

export class Pairing<R, Ref> {
  private readonly images = new Map<string, KnownImage<Ref>>();
  private readonly waiting = new Map<string, Waiting<R>[]>();

  /** `ready` receives each record with both of its images, once. */
  constructor(private readonly ready: (record: R, source: KnownImage<Ref>, output: KnownImage<Ref>) => void) {}

  /** An image is stored (or refused): records waiting for it that now have both are ready. */
  image(key: string, known: KnownImage<Ref>) {
    this.images.set(key, known); // a later member of the same name replaces it, as extracting would
    const waiters = this.waiting.get(key);
    if (!waiters) return;
    this.waiting.delete(key);
    for (const waiter of waiters) this.tryReady(waiter);
  }

  /** A record naming its two images' keys: ready now, or when the last of them is known. */
  record(record: R, sourceKey: string, outputKey: string) {
    this.tryReady({ record, keys: [sourceKey, outputKey] });
  }

  private tryReady(waiter: Waiting<R>) {
    const [source, output] = waiter.keys.map((key) => this.images.get(key));
    if (source && output) {
      this.ready(waiter.record, source, output);
      return;
    }
    const missing = !source ? waiter.keys[0] : waiter.keys[1];
    const list = this.waiting.get(missing);
    if (list) list.push(waiter);
    else this.waiting.set(missing, [waiter]);
  }

  /** Records still waiting, each with its images the stream never brought (0 the source, 1 the output). */
  unmatched(): { record: R; missing: { side: 0 | 1; key: string }[] }[] {
    const seen = new Set<Waiting<R>>();
    const result: { record: R; missing: { side: 0 | 1; key: string }[] }[] = [];
    for (const waiters of this.waiting.values()) {
      for (const waiter of waiters) {
        if (seen.has(waiter)) continue;
        seen.add(waiter);
        const missing = ([0, 1] as const)
          .filter((side) => !this.images.has(waiter.keys[side]))
          .map((side) => ({ side, key: waiter.keys[side] }));
        result.push({ record: waiter.record, missing });
      }
    }
    return result;
  }

  /** How many records wait for an image. */
  get waitingCount(): number {
    let n = 0;
    for (const waiters of this.waiting.values()) n += waiters.length;
    return n;
  }
}
