import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Upload } from '@aws-sdk/lib-storage';
import { s3Client } from '../s3/client';
import { listObjects } from '../s3/objects';
import { formatS3Url, objectKey, parseS3Url, type S3Location } from '../s3/url';
import { exportFile } from './files';
import { ExportError } from './selection';

/**
 * An export to `s3://bucket/prefix`: the formats write into a private staging folder as usual,
 * and each file is uploaded (multipart for large ones: lib-storage's Upload, a part at a time, so
 * memory stays bounded) under the prefix as soon as the format has finished it, then deleted. So
 * the staging disk holds only the files being written or uploaded, never the export. The
 * manifest goes last: a prefix without one holds an export cut off part-way.
 */

/** Uploads in flight before the export waits for one to finish. */
const IN_FLIGHT = 8;
/** Multipart part size (S3's minimum is 5 MiB). */
const PART_BYTES = 8 * 1024 * 1024;

export class S3Target {
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;
  uploaded = 0;
  /** Files uploaded in several parts. */
  multipart = 0;

  private constructor(
    readonly location: S3Location,
    /** Where the formats write before each file is uploaded. */
    readonly staging: string,
  ) {}

  /** The target of `url`, refused when its prefix already holds objects (an export needs a new or empty prefix). */
  static async open(url: string): Promise<S3Target> {
    const location = parseS3Url(s3TargetUrl(url));
    const prefix = location.prefix ? `${location.prefix}/` : '';
    for await (const object of listObjects(location.bucket, prefix)) {
      throw new ExportError(`${formatS3Url(location)} already holds objects (${object.key}); choose a new or empty prefix`);
    }
    return new S3Target(location, await fs.promises.mkdtemp(path.join(os.tmpdir(), 'loupe-export-s3-')));
  }

  /** What was uploaded, for the summary. */
  notice(): string {
    const several = this.multipart ? ` (${this.multipart} in several parts)` : '';
    return `${this.uploaded} files uploaded to ${formatS3Url(this.location)}${several}`;
  }

  /** Uploads the finished file `rel` (relative to the export) in the background, deleting the staged copy after. */
  add(rel: string) {
    const file = exportFile(this.staging, rel);
    const upload = new Upload({
      client: s3Client(),
      params: { Bucket: this.location.bucket, Key: objectKey(this.location, rel), Body: fs.createReadStream(file) },
      partSize: PART_BYTES,
      queueSize: 2,
    });
    let parts = 0;
    upload.on('httpUploadProgress', (progress) => {
      parts = Math.max(parts, progress.part ?? 0);
    });
    const done = upload
      .done()
      .then(() => fs.promises.rm(file, { force: true }))
      .then(() => {
        this.uploaded++;
        if (parts > 1) this.multipart++;
      })
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }

  /** Waits while too many uploads are in flight; throws the first upload that failed. */
  async settle(max = IN_FLIGHT) {
    while (this.inFlight.size > max) await Promise.race(this.inFlight);
    if (this.failure !== undefined) throw this.failure;
  }

  /** Uploads the manifest once every other file is there. */
  async finish(manifest: string) {
    await this.settle(0);
    this.add(manifest);
    await this.settle(0);
  }

  /** Removes the staging folder (whatever is left of it after a failure). */
  async close() {
    await Promise.allSettled(this.inFlight);
    await fs.promises.rm(this.staging, { recursive: true, force: true });
  }
}

export const isS3Target = (out: string) => out.startsWith('s3://');

/** The canonical URL of an s3:// export target (ExportError when it is not a usable one). */
export function s3TargetUrl(url: string): string {
  try {
    return formatS3Url(parseS3Url(url));
  } catch (error) {
    throw new ExportError((error as Error).message);
  }
}
