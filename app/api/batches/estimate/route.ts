import { getDb } from '@/db';
import { batchVia } from '@/lib/api/batches';
import { batchEstimateRequest } from '@/lib/api/jobs';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { kindOf } from '@/lib/jobs/kinds';
import { notConfigured } from '@/lib/jobs/request';
import { openaiConfig } from '@/lib/openai/config';
import { ESTIMATE_BATCH } from '@/lib/batches/offload';
import { offThread } from '@/lib/offload/pool';

export const dynamic = 'force-dynamic';

const estimateRequestVia = batchEstimateRequest.extend(batchVia.shape);

/**
 * POST /api/batches/estimate: how many items a batch over this filter would queue, its cost on both
 * paths (and at the full release's size for a whole-dataset filter), the path `via` picks, and whether
 * this server can run the kind.
 */
export const POST = route('manage', async (request) => {
  const { kind, filter, status, via } = await body(request, estimateRequestVia);
  const config = openaiConfig();
  // On the offload worker: a large filter's grouping never holds the thread claims and verdicts run on.
  const estimate = await offThread(getDb(), ESTIMATE_BATCH, config, { kind, filter: { ...filter, status }, via });
  return Response.json({ ...estimate, configured: !notConfigured(kindOf(kind)!, config) });
});
