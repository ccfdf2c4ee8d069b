import { getDb } from '@/db';
import { route } from '@/lib/auth/guard';
import { listJobs } from '@/lib/jobs/jobs';
import { jobsQuery } from '@/lib/api/jobs';

export const dynamic = 'force-dynamic';

/** GET /api/jobs?status=&before=&limit=&ids=: jobs, newest first (keyset paging by id); `ids`: just those jobs. */
export const GET = route('view', (request) => {
  const params = jobsQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  return Response.json({ jobs: listJobs(getDb(), params) });
});
