import { getDb } from '@/db';
import { auditClaimRequest, type AuditClaimAnswer } from '@/lib/api/audits';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { campaignIdOf, type CampaignContext } from '@/lib/audit/http';
import { claimNextSample } from '@/lib/audit/work';
import { claimantOf } from '@/lib/review/queue';

export const dynamic = 'force-dynamic';

/** POST /api/audits/:id/claim: lease the page's next sample for 5 minutes (the one it holds, if any). */
export const POST = route<CampaignContext>('audit', async (request, user, context) => {
  const campaignId = await campaignIdOf(context);
  const { holder } = await body(request, auditClaimRequest);
  return Response.json(claimNextSample(getDb(), campaignId, claimantOf(user, holder).holder, user.id) satisfies AuditClaimAnswer);
});
