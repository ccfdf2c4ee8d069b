import { getDb } from '@/db';
import { jobRequest } from '@/lib/api/jobs';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { idParam } from '@/lib/http/params';
import { kindOf } from '@/lib/jobs/kinds';
import { requestJob } from '@/lib/jobs/request';
import { serverWorker } from '@/lib/jobs/server-worker';
import { openaiConfig } from '@/lib/openai/config';
import { claimantOf, releaseItemLease } from '@/lib/review/queue';

export const dynamic = 'force-dynamic';

/** POST /api/items/:id/jobs: queue a job of one of the kinds a person asks for on one item (a regeneration, a rewrite, a VLM judgement, …). */
export const POST = route<{ params: Promise<{ id: string }> }>('review', async (request, user, context) => {
  const itemId = idParam.parse((await context.params).id);
  const { kind, holder, params } = await body(request, jobRequest);
  const db = getDb();
  const queued = requestJob(db, openaiConfig(), { kind, itemId, requestedBy: user.id, params });
  // A kind that holds the item takes it out of the queue until it ends: the page lets go of it.
  // One that only scores it (the judge) leaves it on the page.
  if (holder && kindOf(kind)!.holdsItem) releaseItemLease(db, claimantOf(user, holder).holder, itemId);
  serverWorker()?.wake();
  return Response.json(queued, { status: 201 });
});
