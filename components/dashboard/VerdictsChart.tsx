'use client';

import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { VerdictDay } from '@/lib/dashboard/queries';
import { legendProps } from './legend';
import { AXIS, COLORS, GRID, TICK, TOOLTIP } from './theme';

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** Live review verdicts per UTC day, stacked by decision. */
export function VerdictsChart({ days }: { days: VerdictDay[] }) {
  const data = days.map((d) => ({ ...d, label: d.day.slice(5) }));
  return (
    <BarChart responsive data={data} style={{ width: '100%', height: 260 }} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
      <CartesianGrid vertical={false} stroke={GRID} />
      <XAxis dataKey="label" tick={TICK} axisLine={{ stroke: AXIS }} tickLine={false} interval="preserveStartEnd" minTickGap={16} />
      <YAxis
        tick={TICK}
        axisLine={false}
        tickLine={false}
        width={48}
        allowDecimals={false}
        tickFormatter={(v: number) => compact.format(v)}
      />
      <Tooltip
        {...TOOLTIP}
        labelFormatter={(_label, payload) => (payload?.[0]?.payload as VerdictDay | undefined)?.day ?? ''}
        formatter={(value, name) => [Number(value).toLocaleString('en-US'), name]}
      />
      <Legend {...legendProps(['accept', 'reject', 'skip'])} />
      <Bar name="accept" dataKey="accept" stackId="d" fill={COLORS.accept} isAnimationActive={false} />
      <Bar name="reject" dataKey="reject" stackId="d" fill={COLORS.reject} isAnimationActive={false} />
      <Bar name="skip" dataKey="skip" stackId="d" fill={COLORS.skip} isAnimationActive={false} />
    </BarChart>
  );
}
