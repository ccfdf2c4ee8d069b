import { z } from 'zod';
import type { DashboardSummary } from '@/lib/dashboard/queries';
import type { SignalVsHuman } from '@/lib/dashboard/signals';
import { decimalId } from '@/lib/http/params';

/** The dashboard's API (app/api/dashboard): the query parameters the route handlers parse, and what they answer. */

const emptyIsMissing = (value: unknown) => (value === '' ? undefined : value);

/** GET /api/dashboard?datasetId= (every dataset without one). */
export const dashboardQuery = z.object({
  datasetId: z.preprocess(emptyIsMissing, decimalId('datasetId must be a dataset id').optional()),
});
export type DashboardAnswer = DashboardSummary;

/** GET /api/dashboard/signal?datasetId=&signal= */
export const signalQuery = z.object({
  datasetId: decimalId('give datasetId, a dataset id'),
  signal: z.string({ error: 'give signal, a signal name' }).regex(/^[a-z0-9_]{1,64}$/, 'a signal name is lower-case letters, digits and _'),
});
export type SignalAnswer = SignalVsHuman;
