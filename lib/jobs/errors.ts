import OpenAI from 'openai';

export interface Classified {
  retryable: boolean;
  /** From the API's retry-after (or retry-after-ms) header, when it sent one. */
  retryAfterMs?: number;
  /** What the user is shown. */
  message: string;
}

function retryAfter(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (ms > 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/**
 * Rate limits, server errors, lost connections and timeouts are worth retrying; anything
 * else the API refused (400 moderation_blocked, invalid size, ...) fails at once, with the
 * API's own message.
 */
export function classifyError(error: unknown): Classified {
  if (error instanceof OpenAI.APIConnectionTimeoutError) return { retryable: true, message: 'the API did not answer in time' };
  if (error instanceof OpenAI.APIConnectionError) return { retryable: true, message: `cannot reach the API: ${error.message}` };
  if (error instanceof OpenAI.APIError) {
    const status = error.status ?? 0;
    const apiMessage = (error.error as { message?: string } | undefined)?.message ?? error.message;
    const code = error.code ? ` (${error.code})` : '';
    const message = `${status} ${apiMessage}${code}`;
    if (status === 429 || status >= 500 || status === 408 || status === 409) {
      return { retryable: true, retryAfterMs: retryAfter(error.headers), message };
    }
    return { retryable: false, message };
  }
  return { retryable: false, message: error instanceof Error ? error.message : String(error) };
}

/** Exponential backoff with jitter, never sooner than the API asked. */
export function backoffMs(attempt: number, baseMs: number, retryAfterMs?: number, maxMs = 60_000): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exponential * (1 + Math.random() * 0.2);
  return Math.max(retryAfterMs ?? 0, jittered);
}
