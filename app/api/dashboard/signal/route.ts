import { getDb } from '@/db';
import { signalQuery, type SignalAnswer } from '@/lib/api/dashboard';
import { route } from '@/lib/auth/guard';
import { signalVsHuman } from '@/lib/dashboard/queries';
import { getDataset } from '@/lib/datasets';
import { LoupeError } from '@/lib/errors';

export const dynamic = 'force-dynamic';

/** GET /api/dashboard/signal?datasetId=&signal=: how well the signal predicts accept on decided items (AUC with interval, ROC curve, accept rate per score bucket). */
export const GET = route('adjudicate', (request) => {
  const { datasetId, signal } = signalQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const db = getDb();
  if (!getDataset(db, datasetId)) throw new LoupeError('not_found', `dataset ${datasetId} not found`);
  return Response.json(signalVsHuman(db, { datasetId, signal }) satisfies SignalAnswer);
});
