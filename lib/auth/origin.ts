/**
 * The one origin rule for Loupe's routes and better-auth's: a state-changing request must come
 * from a page of the host it was sent to (its Host, or the proxy's X-Forwarded-Host), or from
 * BETTER_AUTH_URL when that is set. So a team reaching the server as http://127.0.0.1:3000 or
 * http://loupe-box:3000 can use it without configuration, and another site cannot.
 */

/** The hosts ("name:port") this request was addressed to, and BETTER_AUTH_URL's. */
export function ownHosts(request: Request): string[] {
  const hosts = [request.headers.get('x-forwarded-host'), request.headers.get('host'), safeHost(request.url)];
  if (process.env.BETTER_AUTH_URL) hosts.push(safeHost(process.env.BETTER_AUTH_URL));
  return [...new Set(hosts.map((host) => host?.split(',')[0].trim()).filter((host): host is string => !!host))];
}

/** The origins a page of this server can have when it sends this request (better-auth's trustedOrigins). */
export function ownOrigins(request: Request): string[] {
  return ownHosts(request).flatMap((host) => [`http://${host}`, `https://${host}`]); // BETTER_AUTH_URL's host is among them
}

/** True when the request's Origin header names one of its own hosts; false without one. */
export function sameOrigin(request: Request): boolean {
  const origin = request.headers.get('origin');
  if (!origin) return false;
  const host = safeHost(origin);
  return host !== undefined && ownHosts(request).includes(host);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Why the origin rule refuses a request, or undefined when it passes: reads (GET, HEAD,
 * OPTIONS) always pass; a state change must be sameOrigin. For Loupe's routes (guard.ts)
 * and better-auth's endpoints (auth.ts) alike.
 */
export function originRefusal(request: Request): string | undefined {
  if (SAFE_METHODS.has(request.method) || sameOrigin(request)) return undefined;
  return 'refused: a state-changing request must come from this site (Origin header)';
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}
