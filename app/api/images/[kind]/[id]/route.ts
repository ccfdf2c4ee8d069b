import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { dataDir, getDb } from '@/db';
import { route } from '@/lib/auth/guard';
import { jsonError } from '@/lib/http/handler';
import { imageFile, serveImage } from '@/lib/images/serve';

export const dynamic = 'force-dynamic';

const paramsSchema = z.object({ kind: z.enum(['source', 'candidate', 'candidate-source', 'mask']), id: z.coerce.number().int().positive() });
const sizeSchema = z.enum(['preview', 'full']).default('preview');

/** GET /api/images/source/:itemId, /api/images/candidate/:candidateId or /api/images/candidate-source/:candidateId or /api/images/mask/:itemId; ?size=preview|full */
export const GET = route<{ params: Promise<{ kind: string; id: string }> }>('view', async (request, user, context) => {
  const { kind, id } = paramsSchema.parse(await context.params);
  const size = sizeSchema.parse(new URL(request.url).searchParams.get('size') ?? undefined);
  const file = imageFile(getDb(), kind, id);
  if (!file) return jsonError(`${kind} ${id} not found`, 404);
  const image = await serveImage(file, size, path.join(dataDir(), 'cache', 'previews')).catch(() => undefined);
  if (!image) return jsonError(`${kind} ${id}: image file is missing or unreadable`, 404);
  const headers = {
    ETag: image.etag,
    'Cache-Control': 'private, max-age=3600',
    'X-Content-Type-Options': 'nosniff',
  };
  if (request.headers.get('if-none-match') === image.etag) return new Response(null, { status: 304, headers });
  const stream = Readable.toWeb(fs.createReadStream(image.file)) as ReadableStream;
  return new Response(stream, {
    headers: { ...headers, 'Content-Type': image.contentType, 'Content-Length': String(image.bytes) },
  });
});
