import { z } from 'zod';
import { getDb } from '@/db';
import { route } from '@/lib/auth/guard';
import { signalVsHuman } from '@/lib/dashboard/queries';
import { getDataset } from '@/lib/datasets';
import { decimalId } from '@/lib/http/params';
import { LoupeError } from '@/lib/errors';

export const dynamic = 'force-dynamic';

const query = z.object({
  datasetId: decimalId('give datasetId, a dataset id'),
  signal: z.string({ error: 'give signal, a signal name' }).regex(/^[a-z0-9_]{1,64}$/, 'a signal name is lower-case letters, digits and _'),
});

/** GET /api/dashboard/signal?datasetId=&signal=: how well the signal predicts accept on decided items (AUC with interval, ROC curve, accept rate per score bucket). */
export const GET = route('adjudicate', (request) => {
  const { datasetId, signal } = query.parse(Object.fromEntries(new URL(request.url).searchParams));
  const db = getDb();
  if (!getDataset(db, datasetId)) throw new LoupeError('not_found', `dataset ${datasetId} not found`);
  return Response.json(signalVsHuman(db, { datasetId, signal }));
});
