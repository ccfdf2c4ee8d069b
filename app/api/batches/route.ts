import { getDb } from '@/db';
import { batchVia } from '@/lib/api/batches';
import { batchQuery, batchRequest } from '@/lib/api/jobs';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { serverWorker } from '@/lib/jobs/server-worker';
import { openaiConfig } from '@/lib/openai/config';
import { batchProgress, startBatch } from '@/lib/batches/batch';

export const dynamic = 'force-dynamic';

const batchRequestVia = batchRequest.extend(batchVia.shape);

/**
 * POST /api/batches: queue a job of a batchable kind for every matching item, within a budget, on the
 * path `via` asks for (the answer's `path`: `batch`, the OpenAI Batch API; `sync`, the job worker).
 */
export const POST = route('manage', async (request, user) => {
  const { kind, filter, status, budgetUsd, via } = await body(request, batchRequestVia);
  const started = await startBatch(getDb(), openaiConfig(), {
    kind,
    filter: { ...filter, status },
    budgetUsd,
    requestedBy: user.id,
    via,
  });
  serverWorker()?.wake();
  return Response.json(started, { status: 201 });
});

/** GET /api/batches?id=: a batch's jobs by status, spent and budget. */
export const GET = route('manage', (request) => {
  const { id } = batchQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  return Response.json(batchProgress(getDb(), id));
});
