import { z } from 'zod';
import { getDb } from '@/db';
import { body, handle } from '@/lib/http/handler';
import { addHumanInstruction } from '@/lib/review/items';
import { instructionEditRequest } from '@/lib/review/requests';

export const dynamic = 'force-dynamic';

/** POST /api/items/:id/instructions: save a reviewer's edit as a new `human` version. */
export async function POST(request: Request, context: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = z.coerce.number().int().positive().parse((await context.params).id);
    const { text, reviewer } = await body(request, instructionEditRequest);
    return Response.json(addHumanInstruction(getDb(), id, text, reviewer), { status: 201 });
  });
}
