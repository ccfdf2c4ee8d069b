import { z } from 'zod';
import { getDb } from '@/db';
import { route } from '@/lib/auth/guard';
import { listJobs } from '@/lib/jobs/jobs';
import { decimalCount, decimalId } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

const query = z.object({
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']).optional(),
  before: decimalId().optional(),
  limit: decimalCount().pipe(z.number().min(1).max(200)).default(50),
});

/** GET /api/jobs?status=&before=&limit=: jobs, newest first (keyset paging by id). */
export const GET = route('view', (request, user) => {
  const params = query.parse(Object.fromEntries(new URL(request.url).searchParams));
  return Response.json({ jobs: listJobs(getDb(), params) });
});
