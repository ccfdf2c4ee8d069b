import OpenAI from 'openai';
import type { OpenAIConfig } from './config';

/** Thrown when regeneration is asked for but no API key is configured. */
export class NotConfiguredError extends Error {
  constructor() {
    super('Regeneration needs OPENAI_API_KEY (and optionally OPENAI_BASE_URL); none is set.');
  }
}

/**
 * The OpenAI client. Retries are ours (jobs, with backoff and retry-after, persisted), so
 * the SDK's own are off; the timeout is set per call (image edits are slow).
 */
export function openaiClient(config: OpenAIConfig): OpenAI {
  if (!config.OPENAI_API_KEY) throw new NotConfiguredError();
  return new OpenAI({
    apiKey: config.OPENAI_API_KEY,
    baseURL: config.OPENAI_BASE_URL,
    maxRetries: 0,
    timeout: config.LOUPE_IMAGE_TIMEOUT_MS,
  });
}
