import { z } from 'zod';
import { getDb } from '@/db';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { serverWorker } from '@/lib/jobs/server-worker';
import { BATCH_KINDS, batchFilterSchema, batchProgress, startBatch } from '@/lib/regenerate/batch';
import { regenerateConfig } from '@/lib/regenerate/config';
import { decimalId } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

const batchRequest = batchFilterSchema.extend({
  kind: z.enum(BATCH_KINDS),
  budgetUsd: z.number().positive().max(1_000_000),
});

const progressQuery = z.object({ id: decimalId() });

/** POST /api/batches: queue a regeneration or rewrite of every matching item, within a budget. */
export const POST = route('manage', async (request, user) => {
  const { kind, filter, status, budgetUsd } = await body(request, batchRequest);
  const started = await startBatch(getDb(), regenerateConfig(), { kind, filter: { ...filter, status }, budgetUsd, requestedBy: user.id });
  serverWorker()?.wake();
  return Response.json(started, { status: 201 });
});

/** GET /api/batches?id=: a batch's jobs by status, spent and budget. */
export const GET = route('manage', (request, user) => {
  const { id } = progressQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  return Response.json(batchProgress(getDb(), id));
});
