import type { Scratch } from './scratch';

/**
 * Matches records to their two images in whatever order the stream brings them, in bounded
 * memory. Images are never held: each is in the store (or refused) by the time it is known
 * here, and its reference goes to the scratch database (a small buffer in memory, written a
 * batch at a time). Records waiting for an image stay in memory up to a byte cap (in `tar
 * --sort=name` order every record of a task waits for its output); beyond it they are parked
 * in the scratch database and taken back when their image is written there.
 */

/** An image as known: where it is stored and what it is, or why it was refused. */
export type KnownImage<Ref> = { ok: true; ref: Ref } | { ok: false; reason: string };

/** How a waiting record is stored in the scratch database, and about how much memory it takes. */
export interface RecordCodec<R> {
  encode(record: R): string;
  decode(text: string): R;
  bytes(record: R): number;
}

export interface PairingOptions<R, Ref> {
  scratch: Scratch;
  codec: RecordCodec<R>;
  /** Receives each record with both of its images, once. */
  ready: (record: R, source: KnownImage<Ref>, output: KnownImage<Ref>) => void;
  /** An image key seen a second time: the first one is used (records may already be paired with it). */
  duplicate: (key: string, where: string) => void;
  /** Bytes of waiting records held in memory before more are parked (default 64 MiB). */
  maxWaitingBytes?: number;
  /** Images known but not yet written to the scratch database (default 4096). */
  imageBuffer?: number;
}

interface Waiting<R> {
  record: R;
  keys: [string, string];
  bytes: number;
}

/** A parked record as stored: the record and its two keys. */
interface Parked {
  r: string;
  k: [string, string];
}

export class Pairing<R, Ref> {
  /** Images known since the last write to the scratch database, with where each came from. */
  private pending = new Map<string, { known: KnownImage<Ref>; where: string }>();
  private readonly waiting = new Map<string, Waiting<R>[]>();
  private toPark: { key: string; record: string }[] = [];
  private parkedCount = 0;
  private readonly scratch: Scratch;
  private readonly codec: RecordCodec<R>;
  private readonly maxWaitingBytes: number;
  private readonly imageBuffer: number;
  /** Bytes of the records waiting in memory, and the most they reached. */
  waitingBytes = 0;
  peakWaitingBytes = 0;

  constructor(private readonly options: PairingOptions<R, Ref>) {
    this.scratch = options.scratch;
    this.codec = options.codec;
    this.maxWaitingBytes = options.maxWaitingBytes ?? 64 << 20;
    this.imageBuffer = options.imageBuffer ?? 4096;
  }

  /** An image is stored (or refused): records waiting for it that now have both are ready. */
  image(key: string, known: KnownImage<Ref>, where: string) {
    if (this.pending.has(key)) {
      this.options.duplicate(key, where);
      return;
    }
    this.pending.set(key, { known, where });
    const waiters = this.waiting.get(key);
    if (waiters) {
      this.waiting.delete(key);
      for (const waiter of waiters) {
        this.waitingBytes -= waiter.bytes;
        this.tryReady(waiter);
      }
    }
    if (this.pending.size >= this.imageBuffer) this.writeImages();
  }

  /** Records naming their two images' keys, a batch at a time (their lookups in one transaction): each ready now, or when the last of its images is known. */
  records(records: { record: R; sourceKey: string; outputKey: string }[]) {
    this.scratch.inBatch(() => {
      for (const { record, sourceKey, outputKey } of records) {
        this.tryReady({ record, keys: [sourceKey, outputKey], bytes: this.codec.bytes(record) });
      }
    });
    if (this.toPark.length >= this.imageBuffer) this.writeImages();
  }

  /** Writes the buffered images and parked records to the scratch database; records parked for those images are taken back. */
  writeImages() {
    const pending = this.pending;
    this.pending = new Map();
    const toPark = this.toPark;
    this.toPark = [];
    this.scratch.inBatch(() => {
      for (const { key, record } of toPark) this.scratch.park(key, record);
      this.parkedCount += toPark.length;
      for (const [key, { known, where }] of pending) {
        if (!this.scratch.addImage(key, JSON.stringify(known))) this.options.duplicate(key, where);
      }
      if (this.parkedCount === 0) return;
      for (const key of pending.keys()) {
        for (const text of this.scratch.takeWaiting(key)) {
          this.parkedCount--;
          const parked = JSON.parse(text) as Parked;
          const record = this.codec.decode(parked.r);
          this.tryReady({ record, keys: parked.k, bytes: this.codec.bytes(record) });
        }
      }
    });
  }

  private known(key: string): KnownImage<Ref> | undefined {
    const pending = this.pending.get(key);
    if (pending) return pending.known;
    const stored = this.scratch.image(key);
    return stored === undefined ? undefined : (JSON.parse(stored) as KnownImage<Ref>);
  }

  private tryReady(waiter: Waiting<R>) {
    const [source, output] = waiter.keys.map((key) => this.known(key));
    if (source && output) {
      this.options.ready(waiter.record, source, output);
      return;
    }
    const missing = !source ? waiter.keys[0] : waiter.keys[1];
    if (this.waitingBytes + waiter.bytes > this.maxWaitingBytes) {
      const parked: Parked = { r: this.codec.encode(waiter.record), k: waiter.keys };
      this.toPark.push({ key: missing, record: JSON.stringify(parked) });
      return;
    }
    this.waitingBytes += waiter.bytes;
    this.peakWaitingBytes = Math.max(this.peakWaitingBytes, this.waitingBytes);
    const list = this.waiting.get(missing);
    if (list) list.push(waiter);
    else this.waiting.set(missing, [waiter]);
  }

  /** Records still waiting at the end, each with its images the stream never brought (0 the source, 1 the output). */
  *unmatched(): Generator<{ record: R; missing: { side: 0 | 1; key: string }[] }> {
    this.writeImages();
    const missingOf = (keys: [string, string]) =>
      ([0, 1] as const).filter((side) => this.known(keys[side]) === undefined).map((side) => ({ side, key: keys[side] }));
    for (const waiters of this.waiting.values()) {
      for (const waiter of waiters) yield { record: waiter.record, missing: missingOf(waiter.keys) };
    }
    for (const text of this.scratch.parked()) {
      const parked = JSON.parse(text) as Parked;
      yield { record: this.codec.decode(parked.r), missing: missingOf(parked.k) };
    }
  }

  /** How many records wait for an image, in memory and parked. */
  get waitingCount(): number {
    let n = this.parkedCount + this.toPark.length;
    for (const waiters of this.waiting.values()) n += waiters.length;
    return n;
  }
}
