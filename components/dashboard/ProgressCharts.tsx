'use client';

import { Bar, BarChart, ErrorBar, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { TaskProgress } from '@/lib/dashboard/queries';
import { legendProps } from './legend';
import { AXIS, COLORS, TICK, TOOLTIP, WHISKER, whisker } from './theme';

const ROW_PX = 28;
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const label = (t: TaskProgress) => `${t.family}/${t.task}`;

/** Items per family/task, stacked by status. */
export function ProgressChart({ tasks }: { tasks: TaskProgress[] }) {
  const data = tasks.map((t) => ({
    label: label(t),
    accepted: t.accepted,
    rejected: t.rejected,
    disputed: t.disputed,
    pending: t.pending,
  }));
  return (
    <BarChart
      responsive
      layout="vertical"
      data={data}
      style={{ width: '100%', height: 60 + ROW_PX * data.length }}
      margin={{ top: 0, right: 16, bottom: 0, left: 0 }}
    >
      <XAxis
        type="number"
        tick={TICK}
        axisLine={{ stroke: AXIS }}
        tickLine={false}
        allowDecimals={false}
        tickFormatter={(v: number) => compact.format(v)}
      />
      <YAxis type="category" dataKey="label" width={230} tick={TICK} axisLine={{ stroke: AXIS }} tickLine={false} />
      <Tooltip {...TOOLTIP} formatter={(value, name) => [Number(value).toLocaleString('en-US'), name]} />
      <Legend {...legendProps(['accepted', 'rejected', 'disputed', 'pending'])} />
      <Bar name="accepted" dataKey="accepted" stackId="status" fill={COLORS.accept} barSize={14} isAnimationActive={false} />
      <Bar name="rejected" dataKey="rejected" stackId="status" fill={COLORS.reject} barSize={14} isAnimationActive={false} />
      <Bar name="disputed" dataKey="disputed" stackId="status" fill={COLORS.disputed} barSize={14} isAnimationActive={false} />
      <Bar name="pending" dataKey="pending" stackId="status" fill={COLORS.pending} barSize={14} isAnimationActive={false} />
    </BarChart>
  );
}

/** Accept rate of the decided items per family/task, with 95% Wilson whiskers. */
export function AcceptRateChart({ tasks }: { tasks: TaskProgress[] }) {
  const data = tasks.map((t) => ({
    label: label(t),
    rate: t.acceptRate ? 100 * t.acceptRate.estimate : null,
    interval: whisker(t.acceptRate),
    decided: t.accepted + t.rejected,
  }));
  return (
    <BarChart
      responsive
      layout="vertical"
      data={data}
      style={{ width: '100%', height: 60 + ROW_PX * data.length }}
      margin={{ top: 0, right: 16, bottom: 0, left: 0 }}
    >
      <XAxis
        type="number"
        domain={[0, 100]}
        ticks={[0, 25, 50, 75, 100]}
        unit="%"
        tick={TICK}
        axisLine={{ stroke: AXIS }}
        tickLine={false}
      />
      <YAxis type="category" dataKey="label" width={230} tick={TICK} axisLine={{ stroke: AXIS }} tickLine={false} />
      <Tooltip
        {...TOOLTIP}
        formatter={(value, _name, item) => {
          const row = item.payload as (typeof data)[number];
          if (value === null || row.rate === null) return ['no decision yet', 'accept rate'];
          const [below, above] = row.interval!;
          return [
            `${row.rate.toFixed(1)}% (${(row.rate - below).toFixed(1)}–${(row.rate + above).toFixed(1)}%) of ${row.decided.toLocaleString('en-US')}`,
            'accept rate',
          ];
        }}
      />
      <Bar name="accept rate" dataKey="rate" fill={COLORS.rate} barSize={12} radius={[0, 3, 3, 0]} isAnimationActive={false}>
        <ErrorBar dataKey="interval" width={4} stroke={WHISKER} strokeWidth={1.5} direction="x" isAnimationActive={false} />
      </Bar>
    </BarChart>
  );
}
