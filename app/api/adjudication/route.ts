import { z } from 'zod';
import { getDb } from '@/db';
import { route } from '@/lib/auth/guard';
import { DISPUTED_PAGE_MAX, listDisputed } from '@/lib/review/adjudication';
import { decimalCount, decimalId } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

const query = z.object({
  datasetId: decimalId().optional(),
  after: decimalCount().optional(),
  limit: decimalCount().pipe(z.number().min(1).max(DISPUTED_PAGE_MAX)).default(50),
});

/** GET /api/adjudication?datasetId=&after=&limit=: one page of disputed items in id order; `next` is the following page's `after`. */
export const GET = route('adjudicate', async (request) => {
  const params = new URL(request.url).searchParams;
  const options = query.parse({
    datasetId: params.get('datasetId') || undefined,
    after: params.get('after') || undefined,
    limit: params.get('limit') || undefined,
  });
  return Response.json(listDisputed(getDb(), options));
});
