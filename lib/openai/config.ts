import { z } from 'zod';

/**
 * The OpenAI API settings (used by every kind of job that calls it) and the job worker's, from the
 * environment, validated once. The key and base URL are the OpenAI SDK's own variables; nothing
 * here is ever sent to the browser or logged.
 */
const envSchema = z.object({
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  LOUPE_IMAGE_MODEL: z.string().min(1).default('gpt-image-1'),
  LOUPE_TEXT_MODEL: z.string().min(1).default('gpt-4o'),
  LOUPE_IMAGE_QUALITY: z.enum(['low', 'medium', 'high', 'auto']).default('high'),
  /** The VLM judge (lib/signals/judge.ts): a vision chat model, and the detail it sees the images at. */
  LOUPE_JUDGE_MODEL: z.string().min(1).default('gpt-4o'),
  /** `high` (default): artifacts only show at full detail; `low` is 85 tokens an image but 512 px. */
  LOUPE_JUDGE_DETAIL: z.enum(['low', 'high', 'auto']).default('high'),
  /** An image edit can take 30-120 s. */
  LOUPE_IMAGE_TIMEOUT_MS: z.coerce.number().int().positive().default(180_000),
  LOUPE_TEXT_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  LOUPE_JOB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  LOUPE_JOB_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  /**
   * A running job's lock lasts this long unless its worker renews it (every third of it): how long a
   * killed worker's jobs wait before another worker takes them again.
   */
  LOUPE_JOB_LOCK_MS: z.coerce.number().int().min(300).max(3_600_000).default(30_000),
  /** `off` keeps the server from running jobs (run `npm run loupe -- worker` instead). */
  LOUPE_WORKER: z.enum(['on', 'off']).default('on'),
  /** A batch of at least this many items goes through the OpenAI Batch API (half price, within 24 h) unless told otherwise (`--via`). */
  LOUPE_BATCH_MIN_ITEMS: z.coerce.number().int().min(1).default(1000),
  /** How often a submitted OpenAI batch is asked for its status. */
  LOUPE_BATCH_POLL_MS: z.coerce.number().int().min(10).max(3_600_000).default(60_000),
});

export type OpenAIConfig = z.infer<typeof envSchema>;

export function openaiConfig(env: Record<string, string | undefined> = process.env): OpenAIConfig {
  return envSchema.parse(env);
}
