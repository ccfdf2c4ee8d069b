import type { StatusTotals } from '@/lib/datasets/summary';

/** A thin stacked bar: accepted (green), rejected (rose), pending (track). */
export function StatusBar({ totals, className = '' }: { totals: StatusTotals; className?: string }) {
  const pct = (n: number) => (totals.total ? (100 * n) / totals.total : 0);
  return (
    <div className={`flex h-1.5 overflow-hidden rounded-full bg-neutral-800 ${className}`} aria-hidden>
      <div className="bg-emerald-500/80" style={{ width: `${pct(totals.accepted)}%` }} />
      <div className="bg-rose-500/80" style={{ width: `${pct(totals.rejected)}%` }} />
    </div>
  );
}
