import { getDb } from '@/db';
import type { HistoryAnswer } from '@/lib/api/items';
import { route } from '@/lib/auth/guard';
import { itemHistory } from '@/lib/review/history';
import { idParam } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

/** GET /api/items/:id/history: every action on an item (import, verdicts, undos, edits, jobs, gold, comments), oldest first. */
export const GET = route<Context>('adjudicate', async (_request, _user, context) => {
  const itemId = idParam.parse((await context.params).id);
  return Response.json({ itemId, events: itemHistory(getDb(), itemId) } satisfies HistoryAnswer);
});
