import { z } from 'zod';
import { getDb } from '@/db';
import { handle } from '@/lib/http/handler';
import { retryJob } from '@/lib/jobs/jobs';
import { serverWorker } from '@/lib/jobs/server-worker';

export const dynamic = 'force-dynamic';

/** POST /api/jobs/:id/retry: queue a failed or cancelled job again. */
export async function POST(_request: Request, context: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = z.coerce.number().int().positive().parse((await context.params).id);
    retryJob(getDb(), id);
    serverWorker()?.wake();
    return Response.json({ id, status: 'queued' });
  });
}
