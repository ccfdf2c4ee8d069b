import { S3Client } from '@aws-sdk/client-s3';

/**
 * The S3 client, configured by the AWS SDK's own variables: credentials (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN or a profile) and region (AWS_REGION) through the
 * SDK's default chains, the endpoint from AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL. A custom
 * endpoint (MinIO, R2, Ceph, s3rver) gets path-style addressing (`host/bucket/key`: such
 * servers seldom have a DNS name per bucket), a default region, and checksums only where the
 * API requires them (recent SDKs add CRC headers that some S3-compatible servers refuse).
 */

type Env = Record<string, string | undefined>;

/** The custom endpoint, when one is set: the S3-specific variable first, as the SDK reads them. */
export function s3Endpoint(env: Env = process.env): string | undefined {
  return env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
}

let cached: { key: string; client: S3Client } | undefined;

/** One client per process (it pools its connections), made anew when the variables change (tests). */
export function s3Client(env: Env = process.env): S3Client {
  const endpoint = s3Endpoint(env);
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || (endpoint ? 'us-east-1' : undefined);
  const key = JSON.stringify([endpoint, region, env.AWS_ACCESS_KEY_ID, env.AWS_PROFILE]);
  if (cached?.key !== key) {
    // The SDK warns on Node 20 about releases after January 2027, which need Node 22; Loupe pins
    // an earlier release exactly (package.json), so the warning is about versions it never loads.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    cached?.client.destroy();
    const client = new S3Client({
      ...(region ? { region } : {}),
      ...(endpoint
        ? { endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
        : {}),
    });
    cached = { key, client };
  }
  return cached.client;
}
