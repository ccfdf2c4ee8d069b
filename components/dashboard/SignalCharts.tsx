'use client';

import { Bar, BarChart, CartesianGrid, ErrorBar, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { SignalVsHuman } from '@/lib/dashboard/queries';
import { AXIS, COLORS, GRID, TICK, TOOLTIP, WHISKER } from './theme';

const share = (v: number) => `${Math.round(v * 100)}%`;
const value = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

/** The ROC curve: accepted items found (true positive rate) against rejected items let through (false positive rate). */
export function RocChart({ roc, signal }: { roc: SignalVsHuman['roc']; signal: string }) {
  return (
    <LineChart responsive data={roc} style={{ width: '100%', height: 320 }} margin={{ top: 8, right: 16, bottom: 16, left: 0 }}>
      <CartesianGrid stroke={GRID} />
      <XAxis
        type="number"
        dataKey="fpr"
        domain={[0, 1]}
        ticks={[0, 0.25, 0.5, 0.75, 1]}
        tickFormatter={share}
        tick={TICK}
        axisLine={{ stroke: AXIS }}
        tickLine={false}
        label={{ value: 'rejected items above the threshold', position: 'insideBottom', offset: -10, fill: '#737373', fontSize: 12 }}
      />
      <YAxis
        type="number"
        domain={[0, 1]}
        ticks={[0, 0.25, 0.5, 0.75, 1]}
        tickFormatter={share}
        tick={TICK}
        axisLine={{ stroke: AXIS }}
        tickLine={false}
        width={64}
        label={{
          value: 'accepted above',
          angle: -90,
          position: 'insideLeft',
          offset: 14,
          fill: '#737373',
          fontSize: 12,
          style: { textAnchor: 'middle' },
        }}
      />
      <ReferenceLine
        segment={[
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ]}
        stroke="#525252"
        strokeDasharray="4 4"
      />
      <Tooltip
        {...TOOLTIP}
        labelFormatter={(_label, payload) => {
          const point = payload?.[0]?.payload as SignalVsHuman['roc'][number] | undefined;
          return point ? (point.threshold === null ? 'nothing called accepted' : `${signal} ≥ ${value.format(point.threshold)}`) : '';
        }}
        formatter={(v, _name, item) => {
          const point = item.payload as SignalVsHuman['roc'][number];
          return [`${share(Number(v))} of accepted, ${share(point.fpr)} of rejected`, 'above threshold'];
        }}
      />
      <Line type="linear" dataKey="tpr" stroke={COLORS.rate} strokeWidth={2} dot={false} isAnimationActive={false} />
    </LineChart>
  );
}

/** Accept rate per score bucket with 95% Wilson whiskers (empty buckets drawn as gaps). */
export function BucketChart({ buckets }: { buckets: SignalVsHuman['buckets'] }) {
  const data = buckets.map((b, i) => ({
    label: `${value.format(b.from)}–${value.format(b.to)}`,
    last: i === buckets.length - 1,
    rate: b.rate === null ? null : 100 * b.rate,
    interval: b.rate === null ? null : [100 * (b.rate - b.low!), 100 * (b.high! - b.rate)],
    n: b.n,
    positives: b.positives,
  }));
  return (
    <BarChart responsive data={data} style={{ width: '100%', height: 320 }} margin={{ top: 8, right: 16, bottom: 16, left: 0 }}>
      <CartesianGrid vertical={false} stroke={GRID} />
      <XAxis
        dataKey="label"
        tick={TICK}
        axisLine={{ stroke: AXIS }}
        tickLine={false}
        interval={0}
        angle={-30}
        textAnchor="end"
        height={48}
      />
      <YAxis domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} unit="%" tick={TICK} axisLine={false} tickLine={false} width={48} />
      <Tooltip
        {...TOOLTIP}
        formatter={(v, _name, item) => {
          const row = item.payload as (typeof data)[number];
          if (v === null || row.rate === null) return ['no decided item', 'accept rate'];
          const [below, above] = row.interval!;
          return [
            `${row.rate.toFixed(1)}% (${(row.rate - below).toFixed(1)}–${(row.rate + above).toFixed(1)}%): ${row.positives.toLocaleString('en-US')} of ${row.n.toLocaleString('en-US')}`,
            'accept rate',
          ];
        }}
      />
      <Bar name="accept rate" dataKey="rate" fill={COLORS.accept} radius={[3, 3, 0, 0]} isAnimationActive={false}>
        <ErrorBar dataKey="interval" width={6} stroke={WHISKER} strokeWidth={1.5} direction="y" isAnimationActive={false} />
      </Bar>
    </BarChart>
  );
}
