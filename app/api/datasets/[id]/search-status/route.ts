import { getDb } from '@/db';
import type { SearchStatusAnswer } from '@/lib/api/search';
import { route } from '@/lib/auth/guard';
import { idParam } from '@/lib/http/params';
import { datasetSearchStatus } from '@/lib/search/build';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

/** GET /api/datasets/:id/search-status: whether the dataset's items are all in the search index yet. */
export const GET = route<Context>('view', async (_request, _user, context) => {
  const id = idParam.parse((await context.params).id);
  return Response.json(datasetSearchStatus(getDb(), id) satisfies SearchStatusAnswer);
});
