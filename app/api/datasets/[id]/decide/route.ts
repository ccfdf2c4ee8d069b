import { getDb } from '@/db';
import { decideRequest, type DecideAnswer } from '@/lib/api/datasets';
import { route } from '@/lib/auth/guard';
import { browseFilter } from '@/lib/browse/list';
import { decideSelection } from '@/lib/browse/decide';
import { LoupeError } from '@/lib/errors';
import { body } from '@/lib/http/handler';
import { idParam } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

/** POST /api/datasets/:id/decide: a lead accepts or rejects a selection, each item getting the lead's verdict. */
export const POST = route<Context>('adjudicate', async (request, user, context) => {
  const datasetId = idParam.parse((await context.params).id);
  const { decision, filter: terms, count } = await body(request, decideRequest);
  const { filter, issues } = browseFilter(terms, datasetId, true);
  if (!filter) throw new LoupeError('invalid', issues.map((i) => `${i.term}: ${i.message}`).join('; '));
  return Response.json(decideSelection(getDb(), user.id, filter, decision, count) satisfies DecideAnswer);
});
