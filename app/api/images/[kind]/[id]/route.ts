import path from 'node:path';
import { dataDir, getDb } from '@/db';
import { imageParams, imageSize } from '@/lib/api/images';
import { route } from '@/lib/auth/guard';
import { jsonError } from '@/lib/http/handler';
import { NOT_FOUND } from '@/lib/images/open';
import { presignedImage } from '@/lib/images/s3-serve';
import { imageBody, imageRef, ImageUnavailable, recordFileId, serveImage, type ServedImage } from '@/lib/images/serve';
import { isS3Url } from '@/lib/s3/url';

export const dynamic = 'force-dynamic';

/** GET /api/images/source/:itemId, /api/images/candidate/:candidateId or /api/images/candidate-source/:candidateId or /api/images/mask/:itemId; ?size=preview|thumb|full (thumb: the dataset grid's) */
export const GET = route<{ params: Promise<{ kind: string; id: string }> }>('view', async (request, user, context) => {
  const { kind, id } = imageParams.parse(await context.params);
  const size = imageSize.parse(new URL(request.url).searchParams.get('size') ?? undefined);
  const db = getDb();
  const ref = imageRef(db, kind, id);
  if (!ref) return jsonError(`${kind} ${id} not found`, 404);
  // A file that leads outside its folder or was swapped since import is refused, never read.
  const unavailable = (error: unknown) => {
    const refused = error instanceof ImageUnavailable && error.message !== NOT_FOUND;
    return jsonError(`${kind} ${id}: ${refused ? `not served: ${(error as Error).message}` : 'image file is missing or unreadable'}`, 404);
  };
  if (isS3Url(ref.root)) {
    // In the S3 store: the checked object (or its stored preview) is fetched by the browser from the bucket, with a URL that soon expires.
    let presigned;
    try {
      presigned = await presignedImage(ref, size);
    } catch (error) {
      return unavailable(error);
    }
    if (ref.fileId === null) recordFileId(db, kind, id, presigned.fileId);
    // Cached for less time than the URL lives, so a cached redirect never leads to an expired link.
    return new Response(null, { status: 302, headers: { Location: presigned.url, 'Cache-Control': 'private, max-age=60' } });
  }
  let image: ServedImage;
  try {
    image = await serveImage(ref, size, path.join(dataDir(), 'cache', 'previews'));
  } catch (error) {
    return unavailable(error);
  }
  // Imported before identities were recorded: the file opened inside its root now is the one from here on.
  if (ref.fileId === null) recordFileId(db, kind, id, image.fileId);
  const headers = {
    ETag: image.etag,
    'Cache-Control': 'private, max-age=3600',
    'X-Content-Type-Options': 'nosniff',
  };
  if (request.headers.get('if-none-match') === image.etag) {
    await image.handle.close();
    return new Response(null, { status: 304, headers });
  }
  // The file that was opened and checked, exactly the bytes counted in Content-Length.
  return new Response(await imageBody(image), {
    headers: { ...headers, 'Content-Type': image.contentType, 'Content-Length': String(image.bytes) },
  });
});
