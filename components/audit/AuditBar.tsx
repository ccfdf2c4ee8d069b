'use client';

import Link from 'next/link';
import type { AuditProgress } from '@/lib/audit/work';

const number = new Intl.NumberFormat('en-US');

export interface AuditCampaignInfo {
  id: number;
  name: string;
  datasetName: string;
  blind: boolean;
}

/** The audit page's top bar: the campaign, its progress, who is auditing, the report, and the `?` help. */
export function AuditBar({
  campaign,
  progress,
  auditor,
  onHelp,
}: {
  campaign: AuditCampaignInfo;
  progress: AuditProgress | undefined;
  auditor: string;
  onHelp: () => void;
}) {
  return (
    <div className="flex flex-wrap items-center gap-3 border-b border-neutral-800 px-4 py-2 text-sm">
      <Link href="/audits" className="text-neutral-400 hover:text-neutral-100">
        Audits
      </Link>
      <span className="text-neutral-500">/</span>
      <span className="font-medium text-neutral-100">{campaign.name}</span>
      <span className="text-neutral-500">{campaign.datasetName}</span>
      {campaign.blind && (
        <span className="rounded bg-neutral-800 px-1.5 py-0.5 text-xs text-neutral-400" title="Reviewers' verdicts are hidden">
          blind
        </span>
      )}
      {progress && (
        <div className="ml-auto flex items-center gap-3" data-testid="audit-progress">
          <div className="h-1.5 w-40 overflow-hidden rounded-full bg-neutral-800">
            <div
              className="h-full bg-neutral-300"
              style={{ width: `${progress.sampled ? (100 * progress.audited) / progress.sampled : 0}%` }}
            />
          </div>
          <span className="tabular-nums text-neutral-400">
            <span className="text-neutral-100">{number.format(progress.audited)}</span> / {number.format(progress.sampled)} audited
            {progress.mine > 0 && <span className="text-neutral-500"> · {number.format(progress.mine)} by you</span>}
          </span>
        </div>
      )}
      <span className={progress ? '' : 'ml-auto'} />
      <span className="text-neutral-500">
        as <span className="text-neutral-300">{auditor}</span>
      </span>
      <Link href={`/audits/${campaign.id}/report`} className="text-neutral-400 hover:text-neutral-100">
        Report
      </Link>
      <button onClick={onHelp} className="text-neutral-500 hover:text-neutral-200" aria-label="Keyboard shortcuts">
        <kbd>?</kbd>
      </button>
    </div>
  );
}
