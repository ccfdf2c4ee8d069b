/**
 * The browser's one way to call Loupe's JSON API (app/api and better-auth's /api/auth/...):
 * JSON in and out, one error type, and one place where an ended session sends the page to
 * the sign-in page. Request and response types come from the contracts beside it (lib/api/*),
 * which the route handlers parse and answer with. Nothing else in app/ or components/ calls
 * fetch (lib/api/boundaries.test.ts checks).
 */

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A refused or failed request: the HTTP status and the server's message (`{error}`, or better-auth's `{message}`). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** The server's own message, when it gave one (else `message` is a generic one naming the request). */
    readonly serverMessage: string | undefined,
    readonly headers: Headers,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const SESSION_ENDED = 'Your session ended; taking you to the sign-in page…';

/**
 * Better-auth's sign-in answers 401 for a wrong username or password: the login form shows
 * that, so these calls never redirect to the page they are made from.
 */
const SIGN_IN = /^\/api\/auth\/sign-in\//;

let redirecting = false;

/** The session ended (expired or signed out elsewhere): sign in again, then come back here. */
function toLogin() {
  if (redirecting) return;
  redirecting = true;
  // eslint-disable-next-line @next/next/no-location-assign-relative-destination -- a full load: nothing of the ended session's page state should survive
  window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
}

/**
 * Server clock minus this browser's clock, from the Date header (second resolution): lease
 * expiry times are the server's, and a browser clock that is minutes off would otherwise
 * show a wrong countdown and think live leases had expired. Ignored below 2 s.
 */
let clockOffset = 0;

function noteServerClock(response: Response, sentAt: number) {
  const date = Date.parse(response.headers.get('date') ?? '');
  if (Number.isNaN(date)) return;
  const offset = date + 500 - (sentAt + Date.now()) / 2;
  clockOffset = Math.abs(offset) > 2_000 ? offset : 0;
}

/** Now, on the server's clock (what lease expiry times are measured against). */
export const serverNow = () => Date.now() + clockOffset;

/**
 * Sends a request (a JSON body when `body` is given) and answers the JSON body. Throws
 * ApiError for a status other than 2xx; on a 401 (except from sign-in) it first sends the
 * page to /login?next=<this page>. A network failure throws fetch's own TypeError.
 */
export async function request<Answer>(url: string, method: Method = 'GET', body?: unknown): Promise<Answer> {
  const sentAt = Date.now();
  const response = await fetch(url, {
    method,
    headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  noteServerClock(response, sentAt);
  if (response.status === 401 && !SIGN_IN.test(url)) {
    toLogin();
    throw new ApiError(SESSION_ENDED, 401, undefined, response.headers);
  }
  const data = (await response.json().catch(() => ({}))) as Answer & { error?: unknown; message?: unknown };
  if (!response.ok) {
    const said = typeof data?.error === 'string' ? data.error : typeof data?.message === 'string' ? data.message : undefined;
    throw new ApiError(said ?? `${method} ${url} failed (HTTP ${response.status})`, response.status, said, response.headers);
  }
  return data;
}

export const get = <Answer>(url: string) => request<Answer>(url, 'GET');
export const post = <Answer>(url: string, body: unknown = {}) => request<Answer>(url, 'POST', body);
export const put = <Answer>(url: string, body: unknown = {}) => request<Answer>(url, 'PUT', body);
export const patch = <Answer>(url: string, body: unknown) => request<Answer>(url, 'PATCH', body);
export const del = <Answer>(url: string) => request<Answer>(url, 'DELETE');

/** Release on page close: sendBeacon survives the unload where fetch may not (posts JSON as text/plain). */
export const beacon = (url: string, body: unknown) => navigator.sendBeacon(url, JSON.stringify(body));
