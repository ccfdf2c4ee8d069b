import { z } from 'zod';
import { getDb } from '@/db';
import { body, handle } from '@/lib/http/handler';
import { serverWorker } from '@/lib/jobs/server-worker';
import { BATCH_KINDS, batchFilterSchema, batchProgress, startBatch } from '@/lib/regenerate/batch';
import { regenerateConfig } from '@/lib/regenerate/config';

export const dynamic = 'force-dynamic';

const batchRequest = batchFilterSchema.extend({
  kind: z.enum(BATCH_KINDS),
  budgetUsd: z.number().positive().max(1_000_000),
  reviewer: z.string().trim().min(1).max(80),
});

const progressQuery = z.object({ id: z.coerce.number().int().positive() });

/** POST /api/batches: queue a regeneration or rewrite of every matching item, within a budget. */
export async function POST(request: Request) {
  return handle(async () => {
    const { kind, filter, status, budgetUsd, reviewer } = await body(request, batchRequest);
    const started = await startBatch(getDb(), regenerateConfig(), { kind, filter: { ...filter, status }, budgetUsd, requestedBy: reviewer });
    serverWorker()?.wake();
    return Response.json(started, { status: 201 });
  });
}

/** GET /api/batches?id=: a batch's jobs by status, spent and budget. */
export async function GET(request: Request) {
  return handle(() => {
    const { id } = progressQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
    return Response.json(batchProgress(getDb(), id));
  });
}
