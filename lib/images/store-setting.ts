import { z } from 'zod';
import { parseS3Url, type S3Location } from '../s3/url';

/**
 * Where Loupe's own image store lives (regenerations, images imported from tarballs or URLs):
 * `LOUPE_STORE=s3://bucket/prefix` puts it in a bucket (reached with the AWS SDK's own variables:
 * lib/s3/client.ts); unset, it is the `images` folder beside the database, as always.
 * Validated like the OpenAI settings (lib/openai/config.ts): a bad value stops with its reason.
 */
const envSchema = z.object({
  LOUPE_STORE: z
    .string()
    .trim()
    .optional()
    .transform((value, context): S3Location | undefined => {
      if (!value) return undefined;
      try {
        return parseS3Url(value);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
});

/** The bucket and prefix of the store, or undefined for the local folder. Throws naming LOUPE_STORE when it is malformed. */
export function storeSetting(env: Record<string, string | undefined> = process.env): S3Location | undefined {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new Error(`LOUPE_STORE: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  return parsed.data.LOUPE_STORE;
}
