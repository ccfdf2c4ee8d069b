'use client';

import { Bar, BarChart, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { AnnotatorStats } from '@/lib/agreement/annotators';

const TICK = { fill: '#a3a3a3', fontSize: 12 }; // neutral-400
const AXIS = '#262626'; // neutral-800
const TOOLTIP = {
  contentStyle: { background: '#171717', border: '1px solid #404040', borderRadius: 6, fontSize: 12 },
  labelStyle: { color: '#e5e5e5' },
  itemStyle: { color: '#d4d4d4' },
  cursor: { fill: 'rgba(255,255,255,0.04)' },
};
const ROW_PX = 30;
const rate = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

function Chart({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <figure className="rounded-lg border border-neutral-800 bg-neutral-900/40 p-4">
      <figcaption className="mb-3 text-xs uppercase tracking-wide text-neutral-500">{title}</figcaption>
      {children}
    </figure>
  );
}

/** Throughput, and accept rate beside gold accuracy, one bar (pair) per annotator. */
export function AnnotatorCharts({ annotators }: { annotators: AnnotatorStats[] }) {
  const data = annotators.map((a) => ({
    reviewer: a.reviewer,
    perHour: a.verdictsPerHour,
    acceptRate: a.acceptRate === null ? null : a.acceptRate * 100,
    goldAccuracy: a.goldAccuracy.rate === null ? null : a.goldAccuracy.rate * 100,
  }));
  const height = 40 + ROW_PX * data.length;
  const pairHeight = 70 + 1.6 * ROW_PX * data.length;
  const yAxis = <YAxis type="category" dataKey="reviewer" width={96} tick={TICK} axisLine={{ stroke: AXIS }} tickLine={false} />;

  return (
    <div className="grid gap-4 md:grid-cols-2" data-testid="annotator-charts">
      <Chart title="Verdicts per active hour">
        <BarChart
          responsive
          layout="vertical"
          data={data}
          style={{ width: '100%', height }}
          margin={{ top: 0, right: 16, bottom: 0, left: 0 }}
        >
          <XAxis type="number" tick={TICK} axisLine={{ stroke: AXIS }} tickLine={false} allowDecimals={false} />
          {yAxis}
          <Tooltip {...TOOLTIP} formatter={(value) => [rate.format(Number(value)), 'verdicts / h']} />
          <Bar dataKey="perHour" fill="#a3a3a3" barSize={14} radius={[0, 3, 3, 0]} isAnimationActive={false} />
        </BarChart>
      </Chart>
      <Chart title="Accept rate and gold accuracy (%)">
        <BarChart
          responsive
          layout="vertical"
          data={data}
          style={{ width: '100%', height: pairHeight }}
          margin={{ top: 0, right: 16, bottom: 0, left: 0 }}
          barGap={2}
        >
          <XAxis type="number" domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} tick={TICK} axisLine={{ stroke: AXIS }} tickLine={false} />
          {yAxis}
          <Tooltip {...TOOLTIP} formatter={(value, name) => [value === null ? '–' : `${rate.format(Number(value))}%`, name]} />
          <Legend iconType="square" iconSize={10} wrapperStyle={{ fontSize: 12, color: '#a3a3a3' }} />
          <Bar name="accept rate" dataKey="acceptRate" fill="#7dd3fc" barSize={10} radius={[0, 3, 3, 0]} isAnimationActive={false} />
          <Bar name="gold accuracy" dataKey="goldAccuracy" fill="#c4b5fd" barSize={10} radius={[0, 3, 3, 0]} isAnimationActive={false} />
        </BarChart>
      </Chart>
    </div>
  );
}
