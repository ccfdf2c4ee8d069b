import { getDb } from '@/db';
import { batchEstimateRequest } from '@/lib/api/jobs';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { kindOf } from '@/lib/jobs/kinds';
import { notConfigured } from '@/lib/jobs/request';
import { openaiConfig } from '@/lib/openai/config';
import { estimateBatch } from '@/lib/batches/batch';

export const dynamic = 'force-dynamic';

/** POST /api/batches/estimate: how many items a batch over this filter would queue, its estimated cost, and whether this server can run the kind. */
export const POST = route('manage', async (request) => {
  const { kind, filter, status } = await body(request, batchEstimateRequest);
  const config = openaiConfig();
  const estimate = estimateBatch(getDb(), config, { kind, filter: { ...filter, status } });
  return Response.json({ ...estimate, configured: !notConfigured(kindOf(kind)!, config) });
});
