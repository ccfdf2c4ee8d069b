import { getDb } from '@/db';
import { teamQuery, type TeamAnswer } from '@/lib/api/team';
import { route } from '@/lib/auth/guard';
import { can } from '@/lib/auth/roles';
import { annotatorView, teamStatsOffThread } from '@/lib/team/stats';
import { LoupeError } from '@/lib/errors';

export const dynamic = 'force-dynamic';

/**
 * GET /api/team?datasetId=&since=: agreement and per-annotator statistics (leads: everyone; others: their own row).
 * Computed on the offload worker (seconds of bootstrap at 100k verdicts), so other requests do not wait.
 */
export const GET = route('view', async (request, user) => {
  const { datasetId, since } = teamQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const stats = await teamStatsOffThread(getDb(), { datasetId, since });
  if (!stats) throw new LoupeError('not_found', `dataset ${datasetId} not found`);
  return Response.json((can(user.roles, 'adjudicate') ? stats : annotatorView(stats, user.id)) satisfies TeamAnswer);
});
