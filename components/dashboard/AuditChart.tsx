'use client';

import { Bar, BarChart, ErrorBar, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { CampaignSummary } from '@/lib/dashboard/queries';
import { legendProps } from './legend';
import { AXIS, COLORS, TICK, TOOLTIP, WHISKER, whisker } from './theme';

const ROW_PX = 44;

/** Pass rate per campaign, as audited and weighted by stratum size, each with its 95% interval. */
export function AuditChart({ campaigns }: { campaigns: CampaignSummary[] }) {
  const data = campaigns.map((c) => ({
    name: c.name,
    simple: c.passRate ? 100 * c.passRate.estimate : null,
    simpleInterval: whisker(c.passRate),
    weighted: c.weighted ? 100 * c.weighted.estimate : null,
    weightedInterval: whisker(c.weighted),
  }));
  const pct = (value: unknown) => (value === null || value === undefined ? '–' : `${Number(value).toFixed(1)}%`);
  return (
    <BarChart
      responsive
      layout="vertical"
      data={data}
      barGap={2}
      style={{ width: '100%', height: 70 + ROW_PX * data.length }}
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
      <YAxis type="category" dataKey="name" width={180} tick={TICK} axisLine={{ stroke: AXIS }} tickLine={false} />
      <Tooltip {...TOOLTIP} formatter={(value, name) => [pct(value), name]} />
      <Legend {...legendProps(['pass rate (as audited)', 'weighted by stratum size'])} />
      <Bar name="pass rate (as audited)" dataKey="simple" fill={COLORS.rate} barSize={12} radius={[0, 3, 3, 0]} isAnimationActive={false}>
        <ErrorBar dataKey="simpleInterval" width={4} stroke={WHISKER} strokeWidth={1.5} direction="x" isAnimationActive={false} />
      </Bar>
      <Bar
        name="weighted by stratum size"
        dataKey="weighted"
        fill={COLORS.weighted}
        barSize={12}
        radius={[0, 3, 3, 0]}
        isAnimationActive={false}
      >
        <ErrorBar dataKey="weightedInterval" width={4} stroke={WHISKER} strokeWidth={1.5} direction="x" isAnimationActive={false} />
      </Bar>
    </BarChart>
  );
}
