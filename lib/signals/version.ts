// Its own module so the signals threads (lib/signals/measure.ts) can read it without the database code.

/**
 * The version of how the per-candidate signals are measured, written into each row's detail
 * (`version`; none: 1). Bump it when a change moves the values, so a dataset's old rows are known
 * and measured again (queueSignals counts a candidate as measured only at this version).
 * 1: SSIM with an 11x11 Gaussian window, everything on luma at 256 px (libvips Lanczos resize).
 * 2: SSIM with a 7x7 uniform window (scikit-image's default), everything on luma at 128 px
 *    (area-averaged); padding unchanged, pHashes within a few bits of version 1's.
 */
export const SIGNALS_VERSION = 2;
