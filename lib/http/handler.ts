import 'server-only';
import { z } from 'zod';
import { isDiskFull, storageErrorMessage } from '@/db/errors';
import { LoupeError } from '@/lib/errors';

/** JSON error body every route handler uses: { error: message }. */
export function jsonError(message: string, status: number) {
  return Response.json({ error: message }, { status });
}

/**
 * Runs a route handler body, turning validation errors and LoupeError (lib/errors.ts: its code
 * decides the status) into 4xx JSON answers, a full disk into 507,
 * so handlers stay one line of "validate, call lib/".
 */
export async function handle(run: () => Promise<Response> | Response): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof z.ZodError) {
      const first = error.issues[0];
      return jsonError(`invalid request: ${first.path.join('.') || 'body'}: ${first.message}`, 400);
    }
    if (error instanceof LoupeError) {
      return jsonError(error.message, error.status);
    }
    if (error instanceof SyntaxError) return jsonError('invalid request: body is not JSON', 400);
    if (isDiskFull(error)) {
      reportDiskFull(error);
      return jsonError(storageErrorMessage(error), 507);
    }
    console.error(error);
    return jsonError('internal error', 500);
  }
}

let lastDiskFullReport = 0;

/** One log line a minute while the disk stays full, not one per request. */
function reportDiskFull(error: unknown) {
  if (Date.now() - lastDiskFullReport < 60_000) return;
  lastDiskFullReport = Date.now();
  console.error(`loupe: ${storageErrorMessage(error)} (${error instanceof Error ? error.message : String(error)})`);
}

/** Parses a JSON request body with a zod schema (sendBeacon posts JSON as text/plain). */
export async function body<T extends z.ZodType>(request: Request, schema: T): Promise<z.infer<T>> {
  return schema.parse(JSON.parse(await request.text()));
}
