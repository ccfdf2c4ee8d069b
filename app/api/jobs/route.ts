import { z } from 'zod';
import { getDb } from '@/db';
import { route } from '@/lib/auth/guard';
import { listJobs } from '@/lib/jobs/jobs';
import { decimalCount, decimalId, parseId } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

const query = z.object({
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']).optional(),
  before: decimalId().optional(),
  limit: decimalCount().pipe(z.number().min(1).max(200)).default(50),
  ids: z
    .string()
    .transform((value, ctx) => {
      const ids = value.split(',').map(parseId);
      if (ids.length <= MAX_IDS && ids.every((id) => id !== undefined)) return ids;
      ctx.addIssue({ code: 'custom', message: `must be 1 to ${MAX_IDS} comma-separated positive decimal integer ids` });
      return z.NEVER;
    })
    .optional(),
});
const MAX_IDS = 50;

/** GET /api/jobs?status=&before=&limit=&ids=: jobs, newest first (keyset paging by id); `ids`: just those jobs. */
export const GET = route('view', (request) => {
  const params = query.parse(Object.fromEntries(new URL(request.url).searchParams));
  return Response.json({ jobs: listJobs(getDb(), params) });
});
