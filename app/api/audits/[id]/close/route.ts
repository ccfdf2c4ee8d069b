import { getDb } from '@/db';
import type { CampaignAnswer } from '@/lib/api/audits';
import { route } from '@/lib/auth/guard';
import { closeCampaign } from '@/lib/audit/campaigns';
import { campaignIdOf, type CampaignContext } from '@/lib/audit/http';

export const dynamic = 'force-dynamic';

/** POST /api/audits/:id/close: a lead closes a campaign (no more claims or results; the report stays). */
export const POST = route<CampaignContext>('manage', async (_request, _user, context) => {
  const campaignId = await campaignIdOf(context);
  return Response.json(closeCampaign(getDb(), campaignId) satisfies CampaignAnswer);
});
