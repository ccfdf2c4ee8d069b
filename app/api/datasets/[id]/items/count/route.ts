import { getDb } from '@/db';
import type { CountAnswer } from '@/lib/api/datasets';
import { route } from '@/lib/auth/guard';
import { can } from '@/lib/auth/roles';
import { browseFilter, countMatching } from '@/lib/browse/list';
import { LoupeError } from '@/lib/errors';
import { filterInputFromParams } from '@/lib/filter/filter-codec';
import { idParam } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

/** GET /api/datasets/:id/items/count?<filter>: how many items the filter matches ("select all N matching"). */
export const GET = route<Context>('view', async (request, user, context) => {
  const datasetId = idParam.parse((await context.params).id);
  const { filter, issues } = browseFilter(
    filterInputFromParams(new URL(request.url).searchParams),
    datasetId,
    can(user.roles, 'adjudicate'),
  );
  if (!filter) throw new LoupeError('invalid', issues.map((i) => `${i.term}: ${i.message}`).join('; '));
  return Response.json({ total: countMatching(getDb(), filter) } satisfies CountAnswer);
});
