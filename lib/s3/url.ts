/**
 * `s3://bucket/prefix` locations: parsed and checked once, so a bad LOUPE_STORE (or, later, an
 * import source or export target) is refused with a message naming what is wrong.
 */

export interface S3Location {
  bucket: string;
  /** Key prefix without leading or trailing slash; '' for the bucket's top. */
  prefix: string;
}

/** A value that is not a usable s3:// location; the message says why. */
export class S3UrlError extends Error {}

export const isS3Url = (value: string): boolean => value.startsWith('s3://');

/** S3's bucket naming rules (general purpose buckets): 3–63 characters, lowercase letters, digits, dots and hyphens. */
function bucketProblem(bucket: string): string | undefined {
  if (bucket.length < 3 || bucket.length > 63) return `bucket name must be 3–63 characters (got ${bucket.length})`;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(bucket)) {
    return 'bucket name may hold only lowercase letters, digits, dots and hyphens, and must start and end with a letter or digit';
  }
  if (bucket.includes('..')) return 'bucket name may not hold two dots in a row';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return 'bucket name may not be an IP address';
  return undefined;
}

/** Parses `s3://bucket` or `s3://bucket/some/prefix/` (S3UrlError when it is not one). */
export function parseS3Url(value: string): S3Location {
  if (!isS3Url(value)) throw new S3UrlError(`${JSON.stringify(value)} is not an s3:// URL (expected s3://bucket/prefix)`);
  const rest = value.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const problem = bucketProblem(bucket);
  if (problem) throw new S3UrlError(`${value}: ${problem}`);
  const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
  if (prefix !== '') {
    const parts = prefix.split('/');
    if (parts.some((part) => part === '' || part === '.' || part === '..')) {
      throw new S3UrlError(`${value}: the prefix may not hold empty, '.' or '..' parts`);
    }
    if ([...prefix].some((c) => c < ' ' || c === '\\'))
      throw new S3UrlError(`${value}: the prefix may not hold control characters or backslashes`);
  }
  return { bucket, prefix };
}

/** The canonical URL of a location (no trailing slash): what an image_roots row records. */
export function formatS3Url(location: S3Location): string {
  return `s3://${location.bucket}${location.prefix ? `/${location.prefix}` : ''}`;
}

/** The key of `relative` (a checked relative path) under the location's prefix. */
export function objectKey(location: S3Location, relative: string): string {
  return location.prefix ? `${location.prefix}/${relative}` : relative;
}
