import type { StoredPopulation } from '@/lib/audit/campaigns';
import type { SamplingSpec } from '@/lib/audit/spec';

export const number = new Intl.NumberFormat('en-US');

/** 0.714 -> "71.4%"; null -> "–". */
export function percent(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? '–' : `${(value * 100).toFixed(digits)}%`;
}

/** "62.1% – 80.3%" for an interval, "–" without one. */
export function percentRange(interval: { low: number; high: number } | null | undefined, digits = 1): string {
  return interval ? `${percent(interval.low, digits)} – ${percent(interval.high, digits)}` : '–';
}

export function describeSampling(sampling: SamplingSpec): string {
  return sampling.mode === 'fixed'
    ? `${number.format(sampling.perStratum)} per family/task`
    : `±${(sampling.margin * 100).toFixed(1).replace(/\.0$/, '')}% per family/task at ${Math.round((sampling.confidence ?? 0.95) * 100)}%`;
}

export function date(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** The population's own filter terms, beyond what its kind implies: "family hqedit · task edit". */
export function describeFilter(population: StoredPopulation): string {
  const implied = population.kind === 'regenerated' ? 'origin' : population.kind === 'accepted' ? 'status' : undefined;
  return Object.entries(population.filter)
    .filter(([key, value]) => key !== implied && value !== undefined && value !== null && value !== '')
    .map(([key, value]) => `${key} ${typeof value === 'string' && /\s/.test(value) ? `“${value}”` : value}`)
    .join(' · ');
}
