import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  getObject,
  headObject,
  ObjectChanged,
  ObjectMissing,
  readBody,
  uploadObject,
  type ObjectInfo,
  type ObjectRef,
} from '../s3/objects';
import { objectKey, parseS3Url, type S3Location } from '../s3/url';
import { bufferSource, checkImage, CONTENT_TYPES, ImageRefused, type AcceptedFormat } from './check';
import { CHANGED, FileRefused, NOT_FOUND, OUTSIDE_ROOT } from './open';
import { checkRelativePath } from './paths';
import { MAX_DECODE_BYTES } from './read';

/**
 * The image store in a bucket (LOUPE_STORE=s3://…): the same content-addressed names as the
 * local store (`ab/<sha256>.<ext>` under the prefix), with the root recorded as the
 * `s3://bucket/prefix` URL in image_roots. What `dev:ino` is for a file, the object's ETag and
 * size are here (`s3:<etag>:<size>`): recorded when stored, compared on every read, so an
 * object overwritten since is refused like a swapped file.
 */

/** The store's name for an image: `ab/<sha256>.<ext>`, the same in both stores. */
export function storeName(bytes: Buffer, extension: string): { sha256: string; path: string } {
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  return { sha256, path: `${sha256.slice(0, 2)}/${sha256}.${extension}` };
}

export const objectFileId = (info: ObjectInfo): string => `s3:${info.etag.replace(/"/g, '')}:${info.size}`;

/** The ETag a recorded `s3:<etag>:<size>` identity expects (undefined: none recorded, or a local `dev:ino`). */
function expectedEtag(fileId: string | null | undefined): string | undefined {
  const match = fileId ? /^s3:([^:"]+):\d+$/.exec(fileId) : null;
  return match ? `"${match[1]}"` : undefined;
}

/** The object of a recorded image: its root URL and checked relative path (FileRefused for a path that leaves the prefix). */
export function storedObject(root: string, relative: string): ObjectRef {
  const checked = checkRelativePath(relative);
  if (!checked.ok) throw new FileRefused(OUTSIDE_ROOT);
  const location = parseS3Url(root);
  return { bucket: location.bucket, key: objectKey(location, checked.path) };
}

/** Writes an image into the bucket once (an object already there with the same size is the same content: its name is its hash). */
export async function putStoreObject(location: S3Location, bytes: Buffer, extension: string) {
  const name = storeName(bytes, extension);
  const object = { bucket: location.bucket, key: objectKey(location, name.path) };
  let info = await headObject(object);
  if (!info || info.size !== bytes.length) {
    info = await uploadObject(object, bytes, CONTENT_TYPES[extension as AcceptedFormat] ?? 'application/octet-stream');
  }
  return { ...name, fileId: objectFileId(info) };
}

/**
 * Opens a recorded object for reading, refusing (FileRefused) one that is missing or is not
 * the object recorded. The caller consumes or destroys `body`.
 */
export async function openStoredObject(
  root: string,
  relative: string,
  fileId: string | null,
): Promise<{ body: Readable; info: ObjectInfo }> {
  try {
    return await getObject(storedObject(root, relative), expectedEtag(fileId));
  } catch (error) {
    if (error instanceof ObjectMissing) throw new FileRefused(NOT_FOUND);
    if (error instanceof ObjectChanged) throw new FileRefused(CHANGED);
    throw error;
  }
}

/** The identity of a recorded object as it is now, refusing (FileRefused) a missing or changed one. */
export async function checkStoredObject(root: string, relative: string, fileId: string | null): Promise<ObjectInfo> {
  const info = await headObject(storedObject(root, relative));
  if (!info) throw new FileRefused(NOT_FOUND);
  const expected = expectedEtag(fileId);
  if (expected !== undefined && info.etag !== expected) throw new FileRefused(CHANGED);
  return info;
}

/**
 * A recorded object's bytes for decoding, as readCheckedImage gives a file's: the recorded
 * version only, at most MAX_DECODE_BYTES, checked (type, structure, pixel limit). Throws
 * FileRefused or ImageRefused.
 */
export async function storedObjectBytes(root: string, relative: string, fileId: string | null): Promise<Buffer> {
  const { body, info } = await openStoredObject(root, relative, fileId);
  if (info.size > MAX_DECODE_BYTES) {
    body.destroy();
    throw new ImageRefused(
      `image object is ${Math.round(info.size / 2 ** 20)} MB, over the ${MAX_DECODE_BYTES / 2 ** 20} MB that is decoded`,
    );
  }
  const bytes = await readBody(body, MAX_DECODE_BYTES);
  checkImage(bufferSource(bytes));
  return bytes;
}
