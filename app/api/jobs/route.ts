import { getDb } from '@/db';
import { route } from '@/lib/auth/guard';
import { jobsQuery, type JobsAnswer } from '@/lib/api/jobs';
import { listJobs } from '@/lib/jobs/list';

export const dynamic = 'force-dynamic';

/**
 * GET /api/jobs?kind=&status=&before=&limit=&item=&ids=: jobs newest first with their item and dataset
 * (keyset paging by id: `next` is the following page's `before`); `active` says whether any job
 * (of the kind) is queued or running, so a page polls only while it is.
 */
export const GET = route('view', (request) => {
  const { item, ...params } = jobsQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  return Response.json(listJobs(getDb(), { ...params, itemId: item }) satisfies JobsAnswer);
});
