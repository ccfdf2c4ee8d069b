import { dataDir, getDb } from '@/db';
import { exportsQuery, startExportRequest, type ExportsAnswer, type StartExportAnswer } from '@/lib/api/exports';
import { listExports } from '@/lib/export/records';
import { exportProgress, ExportStartError, runningExportId, startBackgroundExport } from '@/lib/export/background';
import { withDownloads } from '@/lib/export/download';
import { route } from '@/lib/auth/guard';
import { body, jsonError } from '@/lib/http/handler';

export const dynamic = 'force-dynamic';

/** GET /api/exports?before=&limit=: export runs, newest first, and the progress of the running one. */
export const GET = route('manage', (request) => {
  const params = exportsQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  return Response.json({
    exports: withDownloads(dataDir(), listExports(getDb(), params)),
    running: runningExportId(),
    progress: exportProgress(),
  } satisfies ExportsAnswer);
});

/**
 * POST /api/exports: starts an export in the server process and answers at once (202) with
 * its id. The folder is always `<LOUPE_DATA_DIR>/exports/<time>-<format>`; 409 while another runs.
 */
export const POST = route('manage', async (request, user) => {
  const { filter, ...selection } = await body(request, startExportRequest);
  try {
    const { exportId } = await startBackgroundExport(getDb(), dataDir(), {
      ...selection,
      extra: filter ?? {},
      createdBy: user.id,
    });
    return Response.json({ exportId } satisfies StartExportAnswer, { status: 202 });
  } catch (error) {
    if (error instanceof ExportStartError) return jsonError(error.message, error.status);
    throw error;
  }
});
