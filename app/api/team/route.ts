import { z } from 'zod';
import { getDb } from '@/db';
import { route } from '@/lib/auth/guard';
import { can } from '@/lib/auth/roles';
import { annotatorView, teamStats } from '@/lib/team/stats';
import { decimalCount, decimalId } from '@/lib/http/params';
import { LoupeError } from '@/lib/errors';

export const dynamic = 'force-dynamic';

const emptyIsMissing = (value: unknown) => (value === '' ? undefined : value);
const query = z.object({
  datasetId: decimalId('give datasetId, a dataset id'),
  since: z.preprocess(emptyIsMissing, decimalCount('since must be a time in ms').optional()),
});

/** GET /api/team?datasetId=&since=: agreement and per-annotator statistics (leads: everyone; others: their own row). */
export const GET = route('view', (request, user) => {
  const { datasetId, since } = query.parse(Object.fromEntries(new URL(request.url).searchParams));
  const stats = teamStats(getDb(), { datasetId, since });
  if (!stats) throw new LoupeError('not_found', `dataset ${datasetId} not found`);
  return Response.json(can(user.roles, 'adjudicate') ? stats : annotatorView(stats, user.id));
});
