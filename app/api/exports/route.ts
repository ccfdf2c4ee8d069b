import { z } from 'zod';
import { dataDir, getDb } from '@/db';
import { EXPORT_FORMATS, listExports } from '@/lib/export';
import { exportProgress, ExportStartError, runningExportId, startBackgroundExport } from '@/lib/export/background';
import { withDownloads } from '@/lib/export/download';
import { route } from '@/lib/auth/guard';
import { body, jsonError } from '@/lib/http/handler';
import { extraFilterSchema } from '@/lib/review/filter';
import { decimalCount, decimalId } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

const query = z.object({
  before: decimalId().optional(),
  limit: decimalCount().pipe(z.number().min(1).max(200)).default(100),
});

/** GET /api/exports?before=&limit=: export runs, newest first, and the progress of the running one. */
export const GET = route('manage', (request, user) => {
  const params = query.parse(Object.fromEntries(new URL(request.url).searchParams));
  return Response.json({
    exports: withDownloads(dataDir(), listExports(getDb(), params)),
    running: runningExportId(), progress: exportProgress() });
});

const optionalText = z
  .string()
  .trim()
  .max(200)
  .optional()
  .transform((value) => value || undefined);

const startRequest = z.object({
  format: z.enum(EXPORT_FORMATS),
  status: z.enum(['accepted', 'rejected', 'pending', 'all']).default('accepted'),
  datasetId: z.number().int().positive().optional(),
  family: optionalText,
  task: optionalText,
  instructionType: z.enum(['original', 'rewrite', 'complex']).optional(),
  /** The shared filter's other terms (reviewer of the verdict, dates, text, origin, score range). */
  filter: extraFilterSchema.optional(),
});

/**
 * POST /api/exports: starts an export in the server process and answers at once (202) with
 * its id. The folder is always `<LOUPE_DATA_DIR>/exports/<time>-<format>`; 409 while another runs.
 */
export const POST = route('manage', async (request, user) => {
  const { filter, ...selection } = await body(request, startRequest);
  try {
    const { exportId } = await startBackgroundExport(getDb(), dataDir(), {
      ...selection,
      extra: filter ?? {},
      createdBy: user.id,
    });
    return Response.json({ exportId }, { status: 202 });
  } catch (error) {
    if (error instanceof ExportStartError) return jsonError(error.message, error.status);
    throw error;
  }
});
