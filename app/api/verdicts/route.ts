import { getDb } from '@/db';
import { body, handle } from '@/lib/http/handler';
import { queueProgress } from '@/lib/review/queue';
import { verdictRequest } from '@/lib/review/requests';
import { recordVerdict } from '@/lib/review/verdicts';

export const dynamic = 'force-dynamic';

/** POST /api/verdicts: accept, reject (with reasons) or skip an item the page holds. */
export async function POST(request: Request) {
  return handle(async () => {
    const { holder, reviewer, filter, reasons, ...verdict } = await body(request, verdictRequest);
    const db = getDb();
    const result = recordVerdict(db, { holder, reviewer }, { ...verdict, reasons });
    return Response.json({ ...result, progress: queueProgress(db, filter) });
  });
}
