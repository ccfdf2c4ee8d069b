'use client';

import { Bar, BarChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';

export interface StratumRate {
  stratum: string;
  audited: number;
  /** Percent, with its interval; null before any result. */
  rate: number | null;
  low: number | null;
  high: number | null;
}

const TICK = { fill: '#a3a3a3', fontSize: 12 }; // neutral-400
const AXIS = '#262626'; // neutral-800
const TOOLTIP = {
  contentStyle: { background: '#171717', border: '1px solid #404040', borderRadius: 6, fontSize: 12 },
  labelStyle: { color: '#e5e5e5' },
  itemStyle: { color: '#d4d4d4' },
  cursor: { fill: 'rgba(255,255,255,0.04)' },
};
const ROW_PX = 28;

/** Emerald from 90%, amber from 70%, rose below. */
const colourOf = (rate: number) => (rate >= 90 ? '#6ee7b7' : rate >= 70 ? '#fcd34d' : '#fda4af');

interface ShapeProps {
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  payload?: StratumRate;
}

/** One stratum's interval: a band from low to high with end caps, and a dot at the pass rate. */
function IntervalShape({ x = 0, y = 0, width = 0, height = 0, payload }: ShapeProps) {
  if (!payload || payload.rate === null || payload.low === null || payload.high === null) return <g />;
  const colour = colourOf(payload.rate);
  const mid = y + height / 2;
  const span = payload.high - payload.low;
  const dot = span > 0 ? x + (width * (payload.rate - payload.low)) / span : x;
  return (
    <g>
      <rect x={x} y={mid - 4} width={Math.max(width, 1)} height={8} rx={4} fill={colour} fillOpacity={0.22} />
      <line x1={x} x2={x} y1={mid - 6} y2={mid + 6} stroke={colour} strokeWidth={1.5} />
      <line x1={x + width} x2={x + width} y1={mid - 6} y2={mid + 6} stroke={colour} strokeWidth={1.5} />
      <circle cx={dot} cy={mid} r={4.5} fill={colour} stroke="#0a0a0a" strokeWidth={1.5} />
    </g>
  );
}

/** Pass rate per family/task as a dot inside its Wilson interval; the overall weighted rate as a dashed line. */
export function PassRateChart({ strata, overall }: { strata: StratumRate[]; overall: number | null }) {
  // A range bar: recharts draws a bar from the first value to the second.
  const data = strata.map((s) => ({ ...s, interval: s.low === null || s.high === null ? null : [s.low, s.high] }));
  const height = 50 + ROW_PX * data.length;
  return (
    <figure className="rounded-lg border border-neutral-800 bg-neutral-900/40 p-4" data-testid="pass-rate-chart">
      <figcaption className="mb-3 text-xs uppercase tracking-wide text-neutral-500">
        Pass rate per family/task (%): the dot, within its 95% Wilson interval
      </figcaption>
      <BarChart
        responsive
        layout="vertical"
        data={data}
        style={{ width: '100%', height }}
        margin={{ top: 0, right: 24, bottom: 0, left: 0 }}
      >
        <XAxis type="number" domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} tick={TICK} axisLine={{ stroke: AXIS }} tickLine={false} />
        <YAxis type="category" dataKey="stratum" width={200} tick={TICK} axisLine={{ stroke: AXIS }} tickLine={false} interval={0} />
        <Tooltip
          {...TOOLTIP}
          formatter={(_value, _name, item) => {
            const row = item.payload as StratumRate;
            return row.rate === null
              ? ['not audited yet', 'pass rate']
              : [`${row.rate.toFixed(1)}% (95% CI ${row.low!.toFixed(1)}–${row.high!.toFixed(1)}), n = ${row.audited}`, 'pass rate'];
          }}
        />
        {overall !== null && <ReferenceLine x={overall} stroke="#737373" strokeDasharray="4 3" />}
        <Bar
          dataKey="interval"
          barSize={14}
          isAnimationActive={false}
          shape={(props: unknown) => <IntervalShape {...(props as ShapeProps)} />}
        />
      </BarChart>
      {overall !== null && <p className="mt-2 text-xs text-neutral-500">Dashed line: the overall weighted pass rate.</p>}
    </figure>
  );
}
