import { getDb } from '@/db';
import { previewRequest, type PreviewAnswer } from '@/lib/api/audits';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { previewCampaign } from '@/lib/audit/campaigns';

export const dynamic = 'force-dynamic';

/** POST /api/audits/preview: population and sample size per stratum of a campaign spec, before creating it. */
export const POST = route('manage', async (request) => {
  const spec = await body(request, previewRequest);
  return Response.json(previewCampaign(getDb(), spec) satisfies PreviewAnswer);
});
