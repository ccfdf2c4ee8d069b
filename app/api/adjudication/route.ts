import { getDb } from '@/db';
import { adjudicationQuery, type AdjudicationPage } from '@/lib/api/items';
import { route } from '@/lib/auth/guard';
import { listDisputed } from '@/lib/review/adjudication';

export const dynamic = 'force-dynamic';

/** GET /api/adjudication?datasetId=&after=&limit=: one page of disputed items in id order; `next` is the following page's `after`. */
export const GET = route('adjudicate', async (request) => {
  const params = new URL(request.url).searchParams;
  const options = adjudicationQuery.parse({
    datasetId: params.get('datasetId') || undefined,
    after: params.get('after') || undefined,
    limit: params.get('limit') || undefined,
  });
  return Response.json(listDisputed(getDb(), options) satisfies AdjudicationPage);
});
