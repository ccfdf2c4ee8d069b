import { z } from 'zod';
import { jobIdOf } from './input';

/**
 * A line of a batch's output or error file (https://platform.openai.com/docs/api-reference/batch/request-output):
 * `{"id", "custom_id", "response": {"status_code", "request_id", "body"} | null, "error": {"code", "message"} | null}`.
 * A request the endpoint refused lands in the error file with its status code and the usual error body
 * (`response.body.error.message`, `error` null: openai/openai-openapi#302); a request that never ran
 * (the batch expired or was cancelled) has `error.code` batch_expired or batch_cancelled.
 */
const resultLine = z.object({
  custom_id: z.string(),
  response: z
    .object({
      status_code: z.number().int(),
      request_id: z.string().nullish(),
      body: z.unknown(),
    })
    .nullish(),
  error: z.object({ code: z.string().nullish(), message: z.string().nullish() }).nullish(),
});

/** Error codes of requests that never ran: their jobs go back to the queue instead of failing. */
const NOT_RUN = new Set(['batch_expired', 'batch_cancelled']);

export type LineResult =
  | { jobId: number; outcome: 'ok'; body: unknown; requestId: string | null }
  | { jobId: number; outcome: 'failed'; message: string }
  | { jobId: number; outcome: 'not_run'; message: string };

/** What one line says about its job, or why the line cannot be used (naming the file and line). */
export function parseResultLine(line: string, where: string): LineResult | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { problem: `${where}: not JSON` };
  }
  const parsed = resultLine.safeParse(json);
  if (!parsed.success) return { problem: `${where}: not a batch result line (${parsed.error.issues[0].message})` };
  const { custom_id, response, error } = parsed.data;
  const jobId = jobIdOf(custom_id);
  if (jobId === undefined) return { problem: `${where}: custom_id ${JSON.stringify(custom_id.slice(0, 80))} is not one Loupe wrote` };
  if (error && !response) {
    const message = error.message ?? error.code ?? 'the request failed';
    return NOT_RUN.has(error.code ?? '') ? { jobId, outcome: 'not_run', message } : { jobId, outcome: 'failed', message };
  }
  if (!response) return { problem: `${where}: neither a response nor an error` };
  if (response.status_code === 200) return { jobId, outcome: 'ok', body: response.body, requestId: response.request_id ?? null };
  const apiMessage = z.object({ error: z.object({ message: z.string() }) }).safeParse(response.body).data?.error.message;
  return { jobId, outcome: 'failed', message: `${response.status_code}: ${apiMessage ?? error?.message ?? 'the API refused the request'}` };
}

/**
 * The results of a downloaded output or error file, line by line as the bytes arrive (an images batch's
 * output holds a base64 image a line: it is never read whole), with unusable lines as problems.
 */
export async function* readResults(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  label: string,
): AsyncGenerator<LineResult | { problem: string }> {
  const decoder = new TextDecoder();
  let pending = '';
  let number = 0;
  const chunks = body as AsyncIterable<Uint8Array>;
  for await (const chunk of chunks) {
    pending += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      number++;
      if (line.trim()) yield parseResultLine(line, `${label} line ${number}`);
    }
  }
  pending += decoder.decode();
  if (pending.trim()) yield parseResultLine(pending, `${label} line ${number + 1}`);
}
