import type { Interval } from '@/lib/agreement/bootstrap';

export const number = new Intl.NumberFormat('en-US');

/** 0.714 -> "71%"; null -> "–". */
export function percent(value: number | null | undefined, digits = 0): string {
  return value === null || value === undefined ? '–' : `${(value * 100).toFixed(digits)}%`;
}

/** A coefficient (kappa, alpha) to two decimals, with a true minus sign. */
export function coefficient(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  const text = Math.abs(value).toFixed(2);
  return value < 0 && text !== '0.00' ? `−${text}` : text;
}

export function interval(ci: Interval | null, format: (value: number) => string): string {
  return ci ? `${format(ci.low)} – ${format(ci.high)}` : 'no interval';
}

/** Landis & Koch's bands for kappa. */
export function kappaBand(kappa: number | null): string {
  if (kappa === null) return 'undefined';
  if (kappa < 0) return 'poor';
  if (kappa <= 0.2) return 'slight';
  if (kappa <= 0.4) return 'fair';
  if (kappa <= 0.6) return 'moderate';
  if (kappa <= 0.8) return 'substantial';
  return 'almost perfect';
}

export function kappaReading(kappa: number | null): string {
  if (kappa === null) return 'Undefined: no item has two verdicts yet, or every verdict is the same label.';
  if (kappa < 0) return 'Poor: reviewers agree less often than chance would make them.';
  const band = kappaBand(kappa);
  return `${band[0].toUpperCase()}${band.slice(1)} agreement beyond chance (Landis & Koch bands).`;
}

/** Krippendorff's own thresholds for alpha. */
export function alphaReading(alpha: number | null): string {
  if (alpha === null) return 'Undefined: no item has two verdicts yet, or every verdict is the same label.';
  if (alpha >= 0.8) return 'Reliable: at or above 0.80, the verdicts can be relied on.';
  if (alpha >= 0.667) return 'Tentative: between 0.667 and 0.80, fit for tentative conclusions only.';
  return 'Unreliable: below 0.667, reviewers disagree too much to rely on single verdicts.';
}

export function agreementReading(value: number | null): string {
  if (value === null) return 'No item has two verdicts yet.';
  return `Same verdict on ${percent(value)} of items reviewed twice; not corrected for chance.`;
}

/** "1:07" for 67 000 ms. */
export function clock(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
