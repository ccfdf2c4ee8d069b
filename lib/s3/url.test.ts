import { describe, expect, it } from 'vitest';
import { formatS3Url, objectKey, parseS3Url } from './url';

describe('parseS3Url', () => {
  it('reads the bucket and a prefix without its slashes', () => {
    expect(parseS3Url('s3://my-bucket')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(parseS3Url('s3://my-bucket/')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(parseS3Url('s3://my.bucket-1/loupe/store/')).toEqual({ bucket: 'my.bucket-1', prefix: 'loupe/store' });
    expect(formatS3Url(parseS3Url('s3://abc/x/y/'))).toBe('s3://abc/x/y');
    expect(objectKey({ bucket: 'abc', prefix: 'x' }, 'ab/c.png')).toBe('x/ab/c.png');
    expect(objectKey({ bucket: 'abc', prefix: '' }, 'ab/c.png')).toBe('ab/c.png');
  });

  it('refuses bucket names outside 3–63 characters or S3’s alphabet, naming the rule', () => {
    expect(() => parseS3Url('s3://ab/x')).toThrow('s3://ab/x: bucket name must be 3–63 characters (got 2)');
    expect(() => parseS3Url(`s3://${'a'.repeat(64)}`)).toThrow('bucket name must be 3–63 characters (got 64)');
    expect(() => parseS3Url(`s3://${'a'.repeat(63)}`)).not.toThrow();
    expect(() => parseS3Url('s3:///prefix')).toThrow('(got 0)');
    for (const bad of ['s3://My-Bucket', 's3://my_bucket', 's3://-bucket', 's3://bucket-']) {
      expect(() => parseS3Url(bad), bad).toThrow('lowercase letters, digits, dots and hyphens');
    }
    expect(() => parseS3Url('s3://a..b')).toThrow('two dots');
    expect(() => parseS3Url('s3://192.168.1.1')).toThrow('IP address');
  });

  it('refuses what is not an s3:// URL and prefixes with empty or dot parts', () => {
    expect(() => parseS3Url('https://bucket/x')).toThrow('"https://bucket/x" is not an s3:// URL (expected s3://bucket/prefix)');
    expect(() => parseS3Url('/data/images')).toThrow('is not an s3:// URL');
    for (const bad of ['s3://bucket/a//b', 's3://bucket/../x', 's3://bucket/a/./b']) {
      expect(() => parseS3Url(bad), bad).toThrow("may not hold empty, '.' or '..' parts");
    }
    expect(() => parseS3Url('s3://bucket/a\nb')).toThrow('may not hold control characters or backslashes');
    expect(() => parseS3Url('s3://bucket/a\\b')).toThrow('may not hold control characters or backslashes');
  });
});
