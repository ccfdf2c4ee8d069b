import { getDb } from '@/db';
import { signalsRequest, type SignalsAnswer } from '@/lib/api/signals';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { serverWorker } from '@/lib/jobs/server-worker';
import { queueSignals } from '@/lib/signals/queue';

export const dynamic = 'force-dynamic';

/** POST /api/signals: queue pixel-signal jobs (padding, SSIM, changed fraction, pHash) for every matching item. */
export const POST = route('manage', async (request, user) => {
  const { filter, force, allCandidates } = await body(request, signalsRequest);
  const result = await queueSignals(getDb(), filter, { requestedBy: user.id, skipComputed: !force, allCandidates });
  serverWorker()?.wake();
  const { queued, matched, skippedComputed, skippedActive } = result;
  return Response.json({ queued, matched, skippedComputed, skippedActive } satisfies SignalsAnswer, { status: 202 });
});
