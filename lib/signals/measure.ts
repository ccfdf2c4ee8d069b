import { paddingResidual, type PaddingResidual } from './padding';
import { hamming, hashHex, phash } from './phash';
import { compareSize, decodeRgb, lumaAt, type Luma, type Rgb } from './pixels';
import { CHANGED_THRESHOLD, changedFraction, ssim } from './ssim';

/** What one (source, edited image) pair measures: the per-candidate signals. */
export interface PairSignals {
  padding: PaddingResidual & { width: number; height: number };
  ssim: number;
  changedFraction: number;
  /** The size both images were compared at (the source's aspect, 256 px on the long side at most). */
  compared: { width: number; height: number };
  /** The edit's size differed from the source's: it was stretched to the source's first. */
  editResized: boolean;
  /** pHashes (16 hex digits) and their Hamming distance. */
  phash: { source: string; edit: string; distance: number };
}

/** A decoded source with its luma at the comparison size: reused when one source has several candidates. */
export interface PreparedSource {
  rgb: Rgb;
  luma: Luma;
}

export async function prepareSource(source: string | Buffer): Promise<PreparedSource> {
  const rgb = await decodeRgb(source);
  return { rgb, luma: await lumaAt(rgb, compareSize(rgb.width, rgb.height)) };
}

/**
 * Every per-candidate signal of an edited image against its source, each image decoded once:
 * residual padding on the edit at full size; SSIM and the changed fraction on luma at the
 * source's comparison size (the edit resized to it, stretched if its aspect differs: the same
 * thing as resizing it to the source's size first, in one step); the pHash of each image from
 * that luma. Decoding and resizing are sharp's (off the main thread); the rest is ~8 ms of
 * JavaScript for a 256x256 comparison, in two slices.
 */
export async function measurePair(source: string | Buffer | PreparedSource, edit: string | Buffer): Promise<PairSignals> {
  const [prepared, editRgb] = await Promise.all([
    typeof source === 'string' || Buffer.isBuffer(source) ? prepareSource(source) : source,
    decodeRgb(edit),
  ]);
  const { luma: sourceLuma, rgb: sourceRgb } = prepared;
  const editLuma = await lumaAt(editRgb, { width: sourceLuma.width, height: sourceLuma.height });
  const similarity = ssim(sourceLuma, editLuma);
  // SSIM is the longest stretch of JavaScript (~5 ms at 256 px): let a server answer requests between the steps.
  await new Promise((resolve) => setImmediate(resolve));
  const sourceHash = phash(sourceLuma);
  const editHash = phash(editLuma);
  return {
    padding: { ...paddingResidual(editRgb), width: editRgb.width, height: editRgb.height },
    ssim: similarity,
    changedFraction: changedFraction(sourceLuma, editLuma),
    compared: { width: sourceLuma.width, height: sourceLuma.height },
    editResized: editRgb.width !== sourceRgb.width || editRgb.height !== sourceRgb.height,
    phash: { source: hashHex(sourceHash), edit: hashHex(editHash), distance: hamming(sourceHash, editHash) },
  };
}

/** A signal as stored: one row of `signals` per (candidate, name). */
export interface SignalValue {
  name: string;
  value: number | null;
  detail: Record<string, unknown>;
}

/** The per-candidate signals (a job's rows), with how each was computed. */
export function pairSignalRows(measured: PairSignals): SignalValue[] {
  const { padding, compared } = measured;
  return [
    {
      name: 'padding_residual',
      value: padding.fraction,
      detail: { ...padding.edges, colour: padding.colour, width: padding.width, height: padding.height },
    },
    { name: 'ssim', value: measured.ssim, detail: { ...compared, window: 'gaussian11', editResized: measured.editResized } },
    {
      name: 'changed_fraction',
      value: measured.changedFraction,
      detail: { ...compared, threshold: CHANGED_THRESHOLD, blur: 'binomial3', editResized: measured.editResized },
    },
    { name: 'phash', value: null, detail: measured.phash },
  ];
}
