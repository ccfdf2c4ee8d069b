import { getDb } from '@/db';
import { browseQuery, type BrowseAnswer } from '@/lib/api/datasets';
import { route } from '@/lib/auth/guard';
import { can } from '@/lib/auth/roles';
import { browseFilter, browseItems } from '@/lib/browse/list';
import { LoupeError } from '@/lib/errors';
import { filterInputFromParams } from '@/lib/filter/filter-codec';
import { idParam } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

/** GET /api/datasets/:id/items?<filter>&after=&limit=: one page of the dataset browser, in keyset order. */
export const GET = route<Context>('view', async (request, user, context) => {
  const datasetId = idParam.parse((await context.params).id);
  const search = new URL(request.url).searchParams;
  const { after, limit } = browseQuery.parse({ after: search.get('after') ?? undefined, limit: search.get('limit') ?? undefined });
  const seesVerdicts = can(user.roles, 'adjudicate');
  const { filter, issues } = browseFilter(filterInputFromParams(search), datasetId, seesVerdicts);
  if (!filter) throw new LoupeError('invalid', issues.map((i) => `${i.term}: ${i.message}`).join('; '));
  return Response.json(browseItems(getDb(), filter, after, limit, seesVerdicts) satisfies BrowseAnswer);
});
