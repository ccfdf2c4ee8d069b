import { z } from 'zod';
import { getDb } from '@/db';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { BATCH_KINDS, batchFilterSchema, estimateBatch } from '@/lib/regenerate/batch';
import { regenerateConfig } from '@/lib/regenerate/config';

export const dynamic = 'force-dynamic';

const estimateRequest = batchFilterSchema.extend({ kind: z.enum(BATCH_KINDS) });

/** POST /api/batches/estimate: how many items a batch over this filter would queue, and its estimated cost. */
export const POST = route('manage', async (request, user) => {
  const { kind, filter, status } = await body(request, estimateRequest);
  const config = regenerateConfig();
  const estimate = estimateBatch(getDb(), config, { kind, filter: { ...filter, status } });
  return Response.json({ ...estimate, configured: Boolean(config.OPENAI_API_KEY) });
});
