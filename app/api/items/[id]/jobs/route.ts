import { z } from 'zod';
import { getDb } from '@/db';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { serverWorker } from '@/lib/jobs/server-worker';
import { regenerateConfig } from '@/lib/regenerate/config';
import { requestJob } from '@/lib/regenerate/service';
import { requestJudgeJob } from '@/lib/signals/judge-runner';
import { claimantOf, releaseItemLease } from '@/lib/review/queue';
import { idParam } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

const jobRequest = z.object({
  kind: z.enum(['regenerate', 'regenerate_pair', 'rewrite', 'judge']),
  /** The review page asking: it lets go of the item until the job ends. */
  holder: z.string().min(8).max(100).optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});

/** POST /api/items/:id/jobs: queue a regeneration, an instruction rewrite or a VLM judgement of the item. */
export const POST = route<{ params: Promise<{ id: string }> }>('review', async (request, user, context) => {
  const itemId = idParam.parse((await context.params).id);
  const { kind, holder, params } = await body(request, jobRequest);
  const db = getDb();
  const job = { itemId, requestedBy: user.id, params };
  // The judge scores the item and changes nothing: the page keeps it.
  if (kind === 'judge') {
    const queued = requestJudgeJob(db, regenerateConfig(), job);
    serverWorker()?.wake();
    return Response.json(queued, { status: 201 });
  }
  const queued = requestJob(db, regenerateConfig(), { kind, ...job });
  if (holder) releaseItemLease(db, claimantOf(user, holder).holder, itemId);
  serverWorker()?.wake();
  return Response.json(queued, { status: 201 });
});
