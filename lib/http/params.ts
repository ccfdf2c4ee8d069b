import { z } from 'zod';

/**
 * Numbers taken from a URL (a path segment or a query parameter) are plain decimal
 * integers: no sign, no leading zero, no spaces, no exponent, no fraction, no hex, at most
 * 16 digits. Number() and z.coerce.number() would read `0x1`, `1e0`, ` 1` or `1.0` as 1.
 */
export const ID_PATTERN = /^[1-9][0-9]{0,15}$/;
const COUNT_PATTERN = /^(0|[1-9][0-9]{0,15})$/;

const ID_MESSAGE = 'must be a positive decimal integer id';

/** A positive decimal integer id from a URL (message: what a bad or missing one says). */
export function decimalId(message = ID_MESSAGE) {
  return z.string({ error: message }).regex(ID_PATTERN, message).transform(Number).refine(Number.isSafeInteger, message);
}

/** A non-negative decimal integer from a URL: a count, a limit, a time in ms, an `after` cursor. */
export function decimalCount(message = 'must be a non-negative decimal integer') {
  return z.string({ error: message }).regex(COUNT_PATTERN, message).transform(Number).refine(Number.isSafeInteger, message);
}

/** The strict id schema of route path segments (`/api/items/:id`, ...). */
export const idParam = decimalId();

/** A strict id, or undefined (pages and optional query parameters). */
export function parseId(value: unknown): number | undefined {
  const parsed = idParam.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** An id that may come from a URL (a strict decimal string) or a JSON body (an integer). */
export const idValue = z.union([z.number().int().positive().max(Number.MAX_SAFE_INTEGER), idParam]);
