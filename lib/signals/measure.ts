import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { paddingResidual, type PaddingResidual } from './padding';
import { hamming, hashHex, phash } from './phash';
import { compareSize, decodeRgb, lumaAt, type Luma } from './pixels';
import { WorkerPool } from './pool';
import { SIGNALS_VERSION } from './version';
import { CHANGED_THRESHOLD, changedFraction, ssim } from './ssim';

/** What one (source, edited image) pair measures: the per-candidate signals. */
export interface PairSignals {
  padding: PaddingResidual & { width: number; height: number };
  ssim: number;
  changedFraction: number;
  /** The size both images were compared at (the source's aspect, 128 px on the long side at most: COMPARE_LONG_SIDE). */
  compared: { width: number; height: number };
  /** The edit's size differed from the source's: it was stretched to the source's first. */
  editResized: boolean;
  /** pHashes (16 hex digits) and their Hamming distance. */
  phash: { source: string; edit: string; distance: number };
}

/** A source decoded once at its comparison size: reused when one source has several candidates. */
export interface PreparedSource {
  /** The source's own size. */
  width: number;
  height: number;
  luma: Luma;
}

/** An image file's path, or its bytes (a Buffer, or a Uint8Array once it has crossed to a worker). */
type ImageInput = string | Uint8Array;

const input = (image: ImageInput): string | Buffer =>
  typeof image === 'string' || Buffer.isBuffer(image) ? image : Buffer.from(image.buffer, image.byteOffset, image.byteLength);

const isPrepared = (source: ImageInput | PreparedSource): source is PreparedSource =>
  typeof source !== 'string' && !(source instanceof Uint8Array);

async function prepareSourceHere(source: ImageInput): Promise<PreparedSource> {
  const rgb = await decodeRgb(input(source));
  return { width: rgb.width, height: rgb.height, luma: lumaAt(rgb, compareSize(rgb.width, rgb.height)) };
}

/**
 * measurePair on this thread: residual padding on the edit at full size; SSIM and the changed
 * fraction on luma at the source's comparison size (the edit area-averaged to it, stretched if its
 * aspect differs: the same thing as resizing it to the source's size first, in one step); the
 * pHash of each image from that same luma. Decoding is sharp's; the rest is one pass over each
 * decoded image (luma, shrunk) and well under a millisecond of JavaScript at 128 px, in two slices.
 */
async function measurePairHere(source: ImageInput | PreparedSource, edit: ImageInput): Promise<PairSignals> {
  const [prepared, editRgb] = await Promise.all([isPrepared(source) ? source : prepareSourceHere(source), decodeRgb(input(edit))]);
  const { luma: sourceLuma } = prepared;
  const editLuma = lumaAt(editRgb, { width: sourceLuma.width, height: sourceLuma.height });
  const similarity = ssim(sourceLuma, editLuma);
  // SSIM is the longest stretch of JavaScript: where this runs on a server's thread, let it answer requests between the steps.
  await new Promise((resolve) => setImmediate(resolve));
  const sourceHash = phash(sourceLuma);
  const editHash = phash(editLuma);
  return {
    padding: { ...paddingResidual(editRgb), width: editRgb.width, height: editRgb.height },
    ssim: similarity,
    changedFraction: changedFraction(sourceLuma, editLuma),
    compared: { width: sourceLuma.width, height: sourceLuma.height },
    editResized: editRgb.width !== prepared.width || editRgb.height !== prepared.height,
    phash: { source: hashHex(sourceHash), edit: hashHex(editHash), distance: hamming(sourceHash, editHash) },
  };
}

/** What the signals' worker threads run (lib/signals/measure-worker.mjs), and this thread where none can start. */
export const SIGNAL_OPS = { prepare: prepareSourceHere, measure: measurePairHere };

let pool: WorkerPool<typeof SIGNAL_OPS> | undefined;

/**
 * Where the worker imports this module from: beside it when run from the source (tsx, tests), the
 * source tree in the working folder when bundled (the Next server copies only the worker file).
 */
function measureModule(): string {
  if (import.meta.url.startsWith('file:') && import.meta.url.endsWith('/lib/signals/measure.ts')) return import.meta.url;
  return pathToFileURL(path.resolve('lib', 'signals', 'measure.ts')).href;
}

/** The process's signals threads, started at the first use. */
export function signalsPool(): WorkerPool<typeof SIGNAL_OPS> {
  return (pool ??= new WorkerPool(
    () => new URL('./measure-worker.mjs', import.meta.url),
    { workerData: { module: measureModule() } },
    SIGNAL_OPS,
  ));
}

/** Decodes a source once for several candidates (on a signals thread). */
export function prepareSource(source: string | Buffer): Promise<PreparedSource> {
  return signalsPool().run('prepare', source);
}

/**
 * Every per-candidate signal of an edited image against its source, each image decoded once,
 * all of it on a signals worker thread (lib/signals/pool.ts): the calling thread only posts the
 * two files and gets the figures back.
 */
export function measurePair(source: string | Buffer | PreparedSource, edit: string | Buffer): Promise<PairSignals> {
  return signalsPool().run('measure', source, edit);
}

/** A signal as stored: one row of `signals` per (candidate, name). */
export interface SignalValue {
  name: string;
  value: number | null;
  detail: Record<string, unknown>;
}

/**
 * The per-candidate signals (a job's rows), with how each was computed and the signals version
 * (SIGNALS_VERSION: rows without one are version 1, measured at 256 px with a Gaussian window).
 */
export function pairSignalRows(measured: PairSignals): SignalValue[] {
  const { padding, compared } = measured;
  const version = SIGNALS_VERSION;
  return [
    {
      name: 'padding_residual',
      value: padding.fraction,
      detail: { ...padding.edges, colour: padding.colour, width: padding.width, height: padding.height, version },
    },
    {
      name: 'ssim',
      value: measured.ssim,
      detail: { ...compared, window: 'uniform7', resize: 'area', editResized: measured.editResized, version },
    },
    {
      name: 'changed_fraction',
      value: measured.changedFraction,
      detail: { ...compared, threshold: CHANGED_THRESHOLD, blur: 'binomial3', resize: 'area', editResized: measured.editResized, version },
    },
    { name: 'phash', value: null, detail: { ...measured.phash, version } },
  ];
}
