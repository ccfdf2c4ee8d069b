import { getDb } from '@/db';
import { campaignRequest, type CampaignAnswer, type CampaignsAnswer } from '@/lib/api/audits';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { createCampaign } from '@/lib/audit/campaigns';
import { campaignSummaries } from '@/lib/audit/report';

export const dynamic = 'force-dynamic';

/** GET /api/audits: every audit campaign, newest first, with progress and its weighted pass rate. */
export const GET = route('audit', async () => Response.json({ campaigns: campaignSummaries(getDb()) } satisfies CampaignsAnswer));

/** POST /api/audits: a lead creates a campaign (draws its seeded, stratified sample). */
export const POST = route('manage', async (request, user) => {
  const spec = await body(request, campaignRequest);
  return Response.json(createCampaign(getDb(), { ...spec, createdBy: user.id }) satisfies CampaignAnswer, { status: 201 });
});
