import type { Readable } from 'node:stream';
import { isS3Url } from '../s3/url';
import { checkedImageFile, FileRefused, NOT_FOUND, openCheckedFile as openCheckedLocalFile, type CheckedFile } from './open';
import { openStoredObject, storedObject } from './s3-store';

/**
 * Check-then-copy for code that copies recorded images (exports), in either store: a file
 * inside its root (lib/images/open.ts), or an object of the S3 store (lib/images/s3-store.ts).
 */

/** What a copy reads from: an open file, or an object's body being fetched (both closed by the caller). */
export interface CheckedHandle {
  createReadStream(options?: { start?: number; autoClose?: boolean }): Readable;
  readFile(): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * checkedImageFile for either store. An object is checked when it is opened (a GET that must
 * answer the recorded ETag), so here it is only named: `from` is its s3:// URL.
 */
export function checkedImage(root: string, relative: string, expectedId?: string | null): CheckedFile {
  if (!isS3Url(root)) return checkedImageFile(root, relative, expectedId);
  const object = storedObject(root, relative);
  return { from: `s3://${object.bucket}/${object.key}`, fileId: expectedId ?? 's3:' };
}

/** openCheckedFile for either store: refuses (FileRefused) a missing image or any but the one recorded. */
export async function openCheckedImage(file: CheckedFile): Promise<CheckedHandle> {
  if (!isS3Url(file.from)) return openCheckedLocalFile(file);
  if (file.fileId === null) throw new FileRefused(NOT_FOUND);
  const { bucket, key } = bucketAndKey(file.from);
  const { body } = await openStoredObject(`s3://${bucket}`, key, file.fileId);
  return objectHandle(body);
}

const bucketAndKey = (url: string) => {
  const rest = url.slice('s3://'.length);
  const slash = rest.indexOf('/');
  return { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
};

/** An object's body as a CheckedHandle: read once, as a stream or whole. */
function objectHandle(body: Readable): CheckedHandle {
  return {
    createReadStream: () => body,
    readFile: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    close: async () => {
      body.destroy();
    },
  };
}
