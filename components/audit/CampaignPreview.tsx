'use client';

import type { CampaignPreview as Preview } from '@/lib/audit/campaigns';
import { MAX_SAMPLE } from '@/lib/audit/constants';

const number = new Intl.NumberFormat('en-US');

/** The new campaign's sample before it is drawn: how many, from how many items, and per family/task. */
export function CampaignPreview({ preview, updating }: { preview: Preview; updating: boolean }) {
  const p = preview;
  return (
    <div data-testid="campaign-preview">
      <p className="mb-2 text-neutral-400">
        <span className="text-neutral-100 tabular-nums">{number.format(p.sampleSize)}</span> samples from{' '}
        <span className="text-neutral-100 tabular-nums">{number.format(p.populationSize)}</span> items in {p.strata.length}{' '}
        {p.strata.length === 1 ? 'stratum' : 'strata'}
        {updating && <span className="text-neutral-500"> · updating…</span>}
      </p>
      {p.sampleSize > MAX_SAMPLE && (
        <p className="mb-2 text-amber-300">At most {number.format(MAX_SAMPLE)} samples: allow a wider margin or fewer per stratum.</p>
      )}
      {p.populationSize === 0 && <p className="mb-2 text-amber-300">No items of this dataset are in the population.</p>}
      {p.strata.length > 0 && (
        <div className="max-h-64 max-w-2xl overflow-auto rounded-md border border-neutral-800">
          <table className="w-full text-left tabular-nums">
            <thead className="sticky top-0 bg-neutral-900 text-xs uppercase tracking-wide text-neutral-500">
              <tr>
                <th className="px-3 py-1.5 font-normal">Family / task</th>
                <th className="px-3 py-1.5 text-right font-normal">Population</th>
                <th className="px-3 py-1.5 text-right font-normal">Sample</th>
              </tr>
            </thead>
            <tbody>
              {p.strata.map((s) => (
                <tr key={s.stratum} className="border-t border-neutral-800/70" data-testid="preview-stratum">
                  <td className="px-3 py-1 text-neutral-300">{s.stratum}</td>
                  <td className="px-3 py-1 text-right text-neutral-400">{number.format(s.size)}</td>
                  <td className="px-3 py-1 text-right text-neutral-200">{number.format(s.sample)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
