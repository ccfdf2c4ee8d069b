import { getDb } from '@/db';
import { reviewSettingsRequest, type ReviewSettingsAnswer } from '@/lib/api/team';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { reviewSettings, setReviewSettings } from '@/lib/review/gold';
import { idParam } from '@/lib/http/params';
import { LoupeError } from '@/lib/errors';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };
const datasetId = async (context: Context) => idParam.parse((await context.params).id);

/** GET /api/datasets/:id/settings: overlap (verdicts per item), gold rate and gold item count. */
export const GET = route<Context>('view', async (_request, _user, context) => {
  const id = await datasetId(context);
  const settings = reviewSettings(getDb(), id);
  if (!settings) throw new LoupeError('not_found', `dataset ${id} not found`);
  return Response.json(settings satisfies ReviewSettingsAnswer);
});

/** PATCH /api/datasets/:id/settings: set overlap and/or gold rate. */
export const PATCH = route<Context>('manage', async (request, _user, context) => {
  return Response.json(
    setReviewSettings(getDb(), await datasetId(context), await body(request, reviewSettingsRequest)) satisfies ReviewSettingsAnswer,
  );
});
