import { getDb } from '@/db';
import { resultRequest, type ResultAnswer } from '@/lib/api/audits';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { campaignIdOf, type CampaignContext } from '@/lib/audit/http';
import { auditProgress, recordResult } from '@/lib/audit/work';
import { claimantOf } from '@/lib/review/queue';

export const dynamic = 'force-dynamic';

/** POST /api/audits/:id/results: an auditor's rubric scores and pass/fail for a sample (replaces an earlier one). */
export const POST = route<CampaignContext>('audit', async (request, user, context) => {
  const campaignId = await campaignIdOf(context);
  const { holder, itemId, ...scores } = await body(request, resultRequest);
  const db = getDb();
  const result = recordResult(db, campaignId, itemId, user.id, scores, {
    holder: holder === undefined ? undefined : claimantOf(user, holder).holder,
  });
  return Response.json({ result, progress: auditProgress(db, campaignId, user.id) } satisfies ResultAnswer, { status: 201 });
});
