import { dataDir, getDb } from '@/db';
import { downloadableExportDir, tarExportDir } from '@/lib/export/download';
import { route } from '@/lib/auth/guard';
import { jsonError } from '@/lib/http/handler';
import { idParam } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

/**
 * GET /api/exports/:id/download: a finished export made from the browser (under
 * `<LOUPE_DATA_DIR>/exports`) as one .tar, streamed file by file; anything else is a 404.
 */
export const GET = route<{ params: Promise<{ id: string }> }>('manage', async (_request, user, context) => {
  const id = idParam.parse((await context.params).id);
  const dir = downloadableExportDir(getDb(), dataDir(), id);
  if (dir === null) return jsonError(`export ${id} is not a finished export under the data folder`, 404);
  const tar = tarExportDir(dir);
  const chunks = tar[Symbol.asyncIterator]();
  // Pulled chunk by chunk, so a slow client holds back the reading of files.
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await chunks.next();
      if (done) controller.close();
      else controller.enqueue(value as Buffer);
    },
    cancel() {
      tar.destroy();
    },
  });
  return new Response(stream, {
    headers: {
      'Content-Type': 'application/x-tar',
      'Content-Disposition': `attachment; filename="loupe-export-${id}.tar"`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    },
  });
});
