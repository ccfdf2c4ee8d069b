/** Chart colours and styles shared by the dashboard's charts (the Team page's look). */
export const TICK = { fill: '#a3a3a3', fontSize: 12 }; // neutral-400
export const AXIS = '#262626'; // neutral-800
export const GRID = '#262626';
export const TOOLTIP = {
  contentStyle: { background: '#171717', border: '1px solid #404040', borderRadius: 6, fontSize: 12 },
  labelStyle: { color: '#e5e5e5' },
  itemStyle: { color: '#d4d4d4' },
  cursor: { fill: 'rgba(255,255,255,0.04)' },
};
export const LEGEND = { iconType: 'square' as const, iconSize: 10, wrapperStyle: { fontSize: 12, color: '#a3a3a3' } };
export const WHISKER = '#e5e5e5'; // neutral-200

export const COLORS = {
  accept: '#10b981', // emerald-500
  reject: '#f43f5e', // rose-500
  disputed: '#fcd34d', // amber-300
  pending: '#525252', // neutral-600
  skip: '#737373', // neutral-500
  rate: '#7dd3fc', // sky-300
  weighted: '#c4b5fd', // violet-300
  spend: '#a3a3a3', // neutral-400
};

/** An interval as the [below, above] distances ErrorBar draws around a value, in percent. */
export function whisker(interval: { estimate: number; low: number; high: number } | null): [number, number] | null {
  if (!interval) return null;
  return [100 * (interval.estimate - interval.low), 100 * (interval.high - interval.estimate)];
}
