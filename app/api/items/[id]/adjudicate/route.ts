import { getDb } from '@/db';
import { adjudicationRequest, type AdjudicationAnswer } from '@/lib/api/items';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { adjudicate } from '@/lib/review/verdicts';
import { idParam } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

/** POST /api/items/:id/adjudicate: a lead decides a disputed item (or re-decides an adjudicated one). */
export const POST = route<Context>('adjudicate', async (request, user, context) => {
  const itemId = idParam.parse((await context.params).id);
  const decision = await body(request, adjudicationRequest);
  return Response.json(adjudicate(getDb(), user.id, { itemId, ...decision }) satisfies AdjudicationAnswer, { status: 201 });
});
