import { number, percent } from '@/components/team/format';

export { number, percent };

const usdFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2 });
const smallUsd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumSignificantDigits: 2 });

/** $1,234.56; amounts under a dollar keep two significant digits ($0.042). */
export function usd(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return value !== 0 && Math.abs(value) < 1 ? smallUsd.format(value) : usdFormat.format(value);
}

/** "71% (66–75%)": an estimate with its 95% interval. */
export function rateWithInterval(interval: { estimate: number; low: number; high: number } | null, digits = 0): string {
  if (!interval) return '–';
  return `${percent(interval.estimate, digits)} (${percent(interval.low, digits)}–${percent(interval.high, digits)})`;
}
