import { getDb } from '@/db';
import { signalQuery, type SignalAnswer } from '@/lib/api/dashboard';
import { route } from '@/lib/auth/guard';
import { getDataset } from '@/lib/datasets';
import { LoupeError } from '@/lib/errors';
import { offThread } from '@/lib/offload/pool';
import { SIGNAL_VS_HUMAN } from '@/lib/dashboard/offload';

export const dynamic = 'force-dynamic';

/** GET /api/dashboard/signal?datasetId=&signal=: how well the signal predicts accept on decided items (AUC with interval, ROC curve, accept rate per score bucket). */
export const GET = route('adjudicate', async (request) => {
  const { datasetId, signal } = signalQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const db = getDb();
  if (!getDataset(db, datasetId)) throw new LoupeError('not_found', `dataset ${datasetId} not found`);
  // On the offload worker: reading a sample of up to 20k pairs at 1.5M items takes about 0.1 s.
  return Response.json((await offThread(db, SIGNAL_VS_HUMAN, datasetId, signal)) satisfies SignalAnswer);
});
