import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AuditApp } from '@/components/audit/AuditApp';
import { getDb } from '@/db';
import { getCampaign } from '@/lib/audit/campaigns';
import { requirePage } from '@/lib/auth/page';
import { parseId } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

export default async function AuditPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requirePage('audit', `/audits/${encodeURIComponent(id)}`);
  const campaignId = parseId(id) ?? 0;
  const campaign = Number.isInteger(campaignId) && campaignId > 0 ? getCampaign(getDb(), campaignId) : undefined;
  if (!campaign) notFound();
  if (campaign.status !== 'open') {
    return (
      <div className="m-auto max-w-md text-center text-neutral-400">
        <p className="text-lg text-neutral-200">“{campaign.name}” is closed.</p>
        <p className="mt-2 text-sm">
          Its samples are no longer handed out.{' '}
          <Link href={`/audits/${campaign.id}/report`} className="text-neutral-200 underline hover:text-white">
            See the report
          </Link>
        </p>
      </div>
    );
  }
  return (
    <AuditApp
      key={campaign.id}
      auditor={user.username}
      campaign={{ id: campaign.id, name: campaign.name, datasetName: campaign.datasetName, blind: campaign.blind }}
    />
  );
}
