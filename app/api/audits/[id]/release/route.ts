import { getDb } from '@/db';
import { auditClaimRequest, type AuditReleaseAnswer } from '@/lib/api/audits';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { campaignIdOf, type CampaignContext } from '@/lib/audit/http';
import { releaseSamples } from '@/lib/audit/work';
import { claimantOf } from '@/lib/review/queue';

export const dynamic = 'force-dynamic';

/** POST /api/audits/:id/release: the audit page closed; let go of the sample it holds (sent with sendBeacon). */
export const POST = route<CampaignContext>('audit', async (request, user, context) => {
  const campaignId = await campaignIdOf(context);
  const { holder } = await body(request, auditClaimRequest);
  return Response.json({ released: releaseSamples(getDb(), campaignId, claimantOf(user, holder).holder) } satisfies AuditReleaseAnswer);
});
