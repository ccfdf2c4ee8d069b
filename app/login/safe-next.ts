/**
 * Where to go after signing in: the `next` parameter only when it is a path on this site
 * ("/review?dataset=2"), never another origin ("//evil.example", "/\evil.example",
 * "https://..."), and never back to /login itself.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  // eslint-disable-next-line no-control-regex -- control characters are what this test refuses
  if (/[\u0000-\u001f]/.test(next)) return '/';
  try {
    const base = 'http://loupe.invalid';
    const url = new URL(next, base);
    if (url.origin !== base || url.pathname === '/login') return '/';
    return url.pathname + url.search + url.hash;
  } catch {
    return '/';
  }
}
