import { getDb } from '@/db';
import { batchEstimateRequest } from '@/lib/api/jobs';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { openaiConfig } from '@/lib/openai/config';
import { estimateBatch } from '@/lib/batches/batch';

export const dynamic = 'force-dynamic';

/** POST /api/batches/estimate: how many items a batch over this filter would queue, and its estimated cost. */
export const POST = route('manage', async (request) => {
  const { kind, filter, status } = await body(request, batchEstimateRequest);
  const config = openaiConfig();
  const estimate = estimateBatch(getDb(), config, { kind, filter: { ...filter, status } });
  return Response.json({ ...estimate, configured: Boolean(config.OPENAI_API_KEY) });
});
