import { getDb } from '@/db';
import type { LeaseReleaseAnswer } from '@/lib/api/team';
import { route } from '@/lib/auth/guard';
import { releaseItemByLead } from '@/lib/review/queue';
import { idParam } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

/** DELETE /api/leases/:itemId: a lead frees an item someone holds; it goes back to the queue. */
export const DELETE = route<{ params: Promise<{ itemId: string }> }>('adjudicate', async (_request, _user, context) => {
  const itemId = idParam.parse((await context.params).itemId);
  return Response.json({ released: releaseItemByLead(getDb(), itemId) } satisfies LeaseReleaseAnswer);
});
