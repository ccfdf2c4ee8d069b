import { getDb } from '@/db';
import { commentRequest, type CommentAnswer, type CommentsAnswer } from '@/lib/api/items';
import { route } from '@/lib/auth/guard';
import { can } from '@/lib/auth/roles';
import { body } from '@/lib/http/handler';
import { addComment, listComments } from '@/lib/review/comments';
import { idParam } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };
const itemId = async (context: Context) => idParam.parse((await context.params).id);

/** GET /api/items/:id/comments: the item's comments, oldest first (leads see all, others their own). */
export const GET = route<Context>('view', async (_request, user, context) => {
  const viewer = { userId: user.id, seesAll: can(user.roles, 'adjudicate') };
  return Response.json({ comments: listComments(getDb(), await itemId(context), viewer) } satisfies CommentsAnswer);
});

/** POST /api/items/:id/comments: add a comment (1 to 4000 characters) to an item. */
export const POST = route<Context>('review', async (request, user, context) => {
  const { body: text } = await body(request, commentRequest);
  return Response.json(addComment(getDb(), await itemId(context), user.id, text) satisfies CommentAnswer, { status: 201 });
});
