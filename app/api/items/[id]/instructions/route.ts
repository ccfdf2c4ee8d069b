import { getDb } from '@/db';
import { instructionEditRequest, type InstructionEditAnswer } from '@/lib/api/reviews';
import { route } from '@/lib/auth/guard';
import { body } from '@/lib/http/handler';
import { addHumanInstruction } from '@/lib/review/items';
import { idParam } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

/** POST /api/items/:id/instructions: save a reviewer's edit as a new `human` version. */
export const POST = route<{ params: Promise<{ id: string }> }>('review', async (request, user, context) => {
  const id = idParam.parse((await context.params).id);
  const { text } = await body(request, instructionEditRequest);
  return Response.json(addHumanInstruction(getDb(), id, text, user.id) satisfies InstructionEditAnswer, { status: 201 });
});
