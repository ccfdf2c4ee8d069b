'use client';

import { Bar, BarChart, ErrorBar, Tooltip, XAxis, YAxis } from 'recharts';
import type { JobKindSummary } from '@/lib/dashboard/queries';
import { usd } from './format';
import { AXIS, COLORS, TICK, TOOLTIP, WHISKER, whisker } from './theme';

const ROW_PX = 32;

/** Actual spend per job kind (succeeded jobs). */
export function SpendChart({ kinds }: { kinds: JobKindSummary[] }) {
  const data = kinds.map((k) => ({ kind: k.kind, spent: k.spentUsd, perSuccess: k.usdPerSuccess, pending: k.pendingUsd }));
  return (
    <BarChart
      responsive
      layout="vertical"
      data={data}
      style={{ width: '100%', height: 40 + ROW_PX * data.length }}
      margin={{ top: 0, right: 16, bottom: 0, left: 0 }}
    >
      <XAxis type="number" tick={TICK} axisLine={{ stroke: AXIS }} tickLine={false} tickFormatter={(v: number) => usd(v)} />
      <YAxis type="category" dataKey="kind" width={120} tick={TICK} axisLine={{ stroke: AXIS }} tickLine={false} />
      <Tooltip
        {...TOOLTIP}
        formatter={(value, _name, item) => {
          const row = item.payload as (typeof data)[number];
          return [`${usd(Number(value))} (${usd(row.perSuccess)} per success; ${usd(row.pending)} queued or running)`, 'spent'];
        }}
      />
      <Bar name="spent" dataKey="spent" fill={COLORS.spend} barSize={14} radius={[0, 3, 3, 0]} isAnimationActive={false} />
    </BarChart>
  );
}

/** Success rate per job kind (succeeded / (succeeded + failed)) with 95% Wilson whiskers. */
export function SuccessChart({ kinds }: { kinds: JobKindSummary[] }) {
  const data = kinds.map((k) => ({
    kind: k.kind,
    rate: k.successRate ? 100 * k.successRate.estimate : null,
    interval: whisker(k.successRate),
    finished: k.byStatus.succeeded + k.byStatus.failed,
  }));
  return (
    <BarChart
      responsive
      layout="vertical"
      data={data}
      style={{ width: '100%', height: 40 + ROW_PX * data.length }}
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
      <YAxis type="category" dataKey="kind" width={120} tick={TICK} axisLine={{ stroke: AXIS }} tickLine={false} />
      <Tooltip
        {...TOOLTIP}
        formatter={(value, _name, item) => {
          const row = item.payload as (typeof data)[number];
          if (value === null || row.rate === null) return ['nothing finished yet', 'success rate'];
          const [below, above] = row.interval!;
          return [
            `${row.rate.toFixed(1)}% (${(row.rate - below).toFixed(1)}–${(row.rate + above).toFixed(1)}%) of ${row.finished.toLocaleString('en-US')}`,
            'success rate',
          ];
        }}
      />
      <Bar name="success rate" dataKey="rate" fill={COLORS.accept} barSize={14} radius={[0, 3, 3, 0]} isAnimationActive={false}>
        <ErrorBar dataKey="interval" width={4} stroke={WHISKER} strokeWidth={1.5} direction="x" isAnimationActive={false} />
      </Bar>
    </BarChart>
  );
}
