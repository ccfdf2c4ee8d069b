import { z } from 'zod';
import { BATCH_VIAS } from '@/lib/batches/via';

/**
 * The path a batch's jobs take, as POST /api/batches and /api/batches/estimate take it beside
 * lib/api/jobs.ts's batch schemas (`batchRequest.extend(batchVia.shape)`): `auto` (the default) is
 * the OpenAI Batch API from LOUPE_BATCH_MIN_ITEMS items, `batch` or `sync` choose.
 */
export const batchVia = z.object({ via: z.enum(BATCH_VIAS).default('auto') });
