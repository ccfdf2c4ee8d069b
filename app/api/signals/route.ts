import { z } from 'zod';
import { getDb } from '@/db';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { serverWorker } from '@/lib/jobs/server-worker';
import { listFilterSchema } from '@/lib/review/filter';
import { queueSignals } from '@/lib/signals/queue';

export const dynamic = 'force-dynamic';

const signalsRequest = z.object({
  filter: listFilterSchema,
  /** Measure items again even when their candidate already has its signals. */
  force: z.boolean().optional(),
  /** Every candidate of an item, not only its current one. */
  allCandidates: z.boolean().optional(),
});

/** POST /api/signals: queue pixel-signal jobs (padding, SSIM, changed fraction, pHash) for every matching item. */
export const POST = route('manage', async (request, user) => {
  const { filter, force, allCandidates } = await body(request, signalsRequest);
  const result = await queueSignals(getDb(), filter, { requestedBy: user.id, skipComputed: !force, allCandidates });
  serverWorker()?.wake();
  const { queued, matched, skippedComputed, skippedActive } = result;
  return Response.json({ queued, matched, skippedComputed, skippedActive }, { status: 202 });
});
