import { getDb } from '@/db';
import { goldRequest, type GoldAnswer, type GoldRemovedAnswer } from '@/lib/api/items';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { markGold, unmarkGold } from '@/lib/review/gold';
import { idParam } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };
const itemId = async (context: Context) => idParam.parse((await context.params).id);

/** PUT /api/items/:id/gold: mark a decided item as gold, with its expected verdict. */
export const PUT = route<Context>('adjudicate', async (request, user, context) => {
  const { expected } = await body(request, goldRequest);
  return Response.json(markGold(getDb(), await itemId(context), user.id, expected) satisfies GoldAnswer);
});

/** DELETE /api/items/:id/gold: the item is no longer gold. */
export const DELETE = route<Context>('adjudicate', async (_request, _user, context) => {
  return Response.json({ removed: unmarkGold(getDb(), await itemId(context)) } satisfies GoldRemovedAnswer);
});
