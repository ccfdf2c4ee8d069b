import { headObject, presignGet, uploadObject, type ObjectRef } from '../s3/objects';
import { CONTENT_TYPES, ImageRefused } from './check';
import { FileRefused } from './open';
import { PREVIEW_SIDES, previewOf, type PreviewSize } from './preview';
import { checkStoredObject, objectFileId, storedObject, storedObjectBytes } from './s3-store';
import { ImageUnavailable, type ImageRef, type ImageSize } from './serve';

/**
 * Serving an image of the S3 store: the route has authorized the request; here the object is
 * checked to be the one recorded (a HEAD: its ETag) and the answer is a short-lived presigned
 * URL, so the bytes go from the bucket to the browser without passing through the server.
 * A preview is made once, from the checked original, and stored beside the originals
 * (`<prefix>/previews/<long side>/<path>.webp`: 1600 for the review, 384 for the grid's thumbnails),
 * then presigned like them.
 */

const SERVED_TYPES = new Set(Object.values(CONTENT_TYPES));

/** Previews being made in this process, so that simultaneous requests make each once. */
const making = new Map<string, Promise<void>>();
/** Previews known to be in the bucket (named by the original's hash: made once, never changed), so each is looked up once. */
const made = new Set<string>();

export interface PresignedImage {
  url: string;
  /** The original's identity as checked now (recorded by the caller when none was). */
  fileId: string;
}

export async function presignedImage(ref: ImageRef, size: ImageSize): Promise<PresignedImage> {
  try {
    const original = storedObject(ref.root, ref.path);
    const info = await checkStoredObject(ref.root, ref.path, ref.fileId);
    const fileId = objectFileId(info);
    if (size === 'full') {
      // Sent with the type it was stored with, and only an accepted raster type.
      if (!info.contentType || !SERVED_TYPES.has(info.contentType))
        throw new ImageUnavailable('image object is not of an accepted image type');
      return { url: await presignGet(original, info.contentType), fileId };
    }
    const preview = previewOfObject(ref, size);
    const name = `${preview.bucket}/${preview.key}`;
    if (!made.has(name)) {
      if (!(await headObject(preview))) await makePreview(ref, fileId, preview, PREVIEW_SIDES[size]);
      if (made.size >= 100_000) made.clear();
      made.add(name);
    }
    return { url: await presignGet(preview, 'image/webp'), fileId };
  } catch (error) {
    if (error instanceof FileRefused || error instanceof ImageRefused) throw new ImageUnavailable(error.message);
    throw error;
  }
}

/** The preview beside the originals: under the store's prefix, `previews/<size>/<the original's relative path>.webp`. */
const previewOfObject = (ref: ImageRef, size: PreviewSize): ObjectRef =>
  storedObject(ref.root, `previews/${PREVIEW_SIDES[size]}/${ref.path}.webp`);

function makePreview(ref: ImageRef, fileId: string, preview: ObjectRef, max: number): Promise<void> {
  let made = making.get(preview.key);
  if (!made) {
    made = (async () => {
      // The original read as checked (the version just seen), before anything decodes it.
      const bytes = await storedObjectBytes(ref.root, ref.path, fileId);
      await uploadObject(preview, await previewOf(bytes, max).toBuffer(), 'image/webp');
    })().finally(() => making.delete(preview.key));
    making.set(preview.key, made);
  }
  return made;
}
