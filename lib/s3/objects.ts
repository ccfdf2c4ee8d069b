import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3Client } from './client';

/**
 * Object helpers for Loupe's S3 uses (the image store; import sources and export targets build
 * on them). An object's identity is its ETag and size: what a file's `dev:ino` is on disk.
 */

export interface ObjectRef {
  bucket: string;
  key: string;
}

export interface ObjectInfo {
  /** The ETag as S3 sends it, quotes included. */
  etag: string;
  size: number;
  contentType?: string;
}

/** The object is not there (404). */
export class ObjectMissing extends Error {}
/** The object is not the one expected (its ETag differs): it was overwritten. */
export class ObjectChanged extends Error {}

/** How long a presigned GET stays valid: long enough for a page to load, short enough that a leaked link soon dies. */
export const PRESIGN_SECONDS = 300;

const statusOf = (error: unknown): number | undefined => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const where = (object: ObjectRef) => `s3://${object.bucket}/${object.key}`;

/** The object's identity, or undefined when there is none at the key. */
export async function headObject(object: ObjectRef): Promise<ObjectInfo | undefined> {
  try {
    const head = await s3Client().send(new HeadObjectCommand({ Bucket: object.bucket, Key: object.key }));
    return { etag: head.ETag ?? '', size: Number(head.ContentLength ?? 0), contentType: head.ContentType };
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/**
 * Writes an object (a buffer, or a stream of unknown length: multipart, a part at a time, so
 * memory stays bounded) and answers its identity as written.
 */
export async function uploadObject(object: ObjectRef, body: Buffer | Readable, contentType?: string): Promise<ObjectInfo> {
  const upload = new Upload({
    client: s3Client(),
    params: { Bucket: object.bucket, Key: object.key, Body: body, ContentType: contentType },
  });
  await upload.done();
  // The upload's own answer names the ETag but not the size of a streamed body: ask.
  const info = await headObject(object);
  if (!info) throw new ObjectMissing(`${where(object)}: not found right after it was written`);
  return info;
}

/**
 * Opens an object for reading. With `expectedEtag`, refuses (ObjectChanged) any other version:
 * asked of the server with If-Match, and checked again on the answer for servers that ignore it.
 * The caller consumes or destroys `body`.
 */
export async function getObject(object: ObjectRef, expectedEtag?: string): Promise<{ body: Readable; info: ObjectInfo }> {
  let answer;
  try {
    answer = await s3Client().send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key, IfMatch: expectedEtag }));
  } catch (error) {
    if (statusOf(error) === 404) throw new ObjectMissing(`${where(object)}: not found`);
    if (statusOf(error) === 412) throw new ObjectChanged(`${where(object)}: changed`);
    throw error;
  }
  const body = answer.Body as Readable;
  const info = { etag: answer.ETag ?? '', size: Number(answer.ContentLength ?? 0), contentType: answer.ContentType };
  if (expectedEtag !== undefined && info.etag !== expectedEtag) {
    body.destroy();
    throw new ObjectChanged(`${where(object)}: changed`);
  }
  return { body, info };
}

/** Reads a body whole, refusing (before holding it) one longer than `maxBytes`. */
export async function readBody(body: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    length += (chunk as Buffer).length;
    if (length > maxBytes) {
      body.destroy();
      throw new RangeError(`object is over ${maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, length);
}

/**
 * A short-lived URL that lets its holder GET the object (and nothing else), answered with
 * `contentType` when given, and cacheable by the browser while the URL lives (the store's objects
 * never change under their name), so an image the page prefetched is not fetched again.
 */
export function presignGet(object: ObjectRef, contentType?: string, expiresIn = PRESIGN_SECONDS): Promise<string> {
  const command = new GetObjectCommand({
    Bucket: object.bucket,
    Key: object.key,
    ResponseContentType: contentType,
    ResponseCacheControl: `private, max-age=${expiresIn}`,
  });
  return getSignedUrl(s3Client(), command, { expiresIn });
}

export interface ListedObject {
  key: string;
  size: number;
  etag: string;
  lastModified?: Date;
}

/** Every object whose key starts with `prefix`, in key order, a page (1,000 keys) at a time. */
export async function* listObjects(bucket: string, prefix: string): AsyncGenerator<ListedObject> {
  let token: string | undefined;
  do {
    const page = await s3Client().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? [])
      yield { key: object.Key!, size: Number(object.Size ?? 0), etag: object.ETag ?? '', lastModified: object.LastModified };
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}
