import { getDb } from '@/db';
import { route } from '@/lib/auth/guard';
import { retryJob } from '@/lib/jobs/jobs';
import { serverWorker } from '@/lib/jobs/server-worker';
import { idParam } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

/** POST /api/jobs/:id/retry: queue a failed or cancelled job again. */
export const POST = route<{ params: Promise<{ id: string }> }>('manage', async (_request, user, context) => {
  const id = idParam.parse((await context.params).id);
  retryJob(getDb(), id);
  serverWorker()?.wake();
  return Response.json({ id, status: 'queued' });
});
