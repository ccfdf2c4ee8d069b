import { getDb } from '@/db';
import { route } from '@/lib/auth/guard';
import { cancelJob } from '@/lib/jobs/jobs';
import { serverWorker } from '@/lib/jobs/server-worker';
import { idParam } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

/** POST /api/jobs/:id/cancel: a queued job is cancelled at once; a running one is stopped. */
export const POST = route<{ params: Promise<{ id: string }> }>('manage', async (_request, user, context) => {
  const id = idParam.parse((await context.params).id);
  const status = cancelJob(getDb(), id);
  if (status === 'running') serverWorker()?.abort(id); // running here: stop its API call now
  return Response.json({ id, status: status === 'running' ? 'cancelling' : status });
});
