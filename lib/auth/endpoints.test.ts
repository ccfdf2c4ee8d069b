/**
 * Every better-auth endpoint, called over Loupe's real /api/auth route handler: the ones Loupe
 * mounts do what docs/api.md says, for the signed-in user only; every other one answers 404.
 * The endpoints are read from better-auth's own router, so one that an upgrade adds shows up here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRoute, closeRoutes, signIn, signInRoles, TEST_ORIGIN, TEST_PASSWORD as PASSWORD, type RouteCall } from '@/lib/test/routes';
import type { Role } from './roles';

const AUTH_ROUTE = 'app/api/auth/[...all]/route.ts';
/** One request to /api/auth/<path> through the route handler Next serves (POST unless told). */
const auth = (path: string, { method = 'POST', ...call }: RouteCall & { method?: 'GET' | 'POST' } = {}) =>
  callRoute(AUTH_ROUTE, method, { ...call, url: `/api/auth${path}` });

async function sessionOf(cookie: string) {
  return (await auth('/get-session', { method: 'GET', cookie })).json as { user: { username: string } } | null;
}

const usernames = async () => {
  const { getDb } = await import('@/db');
  return getDb().$client.prepare('SELECT id, username, name, email FROM users ORDER BY id').all();
};

describe('better-auth endpoints under /api/auth', () => {
  let cookies: Map<Role, string>;

  beforeAll(async () => {
    process.env.LOUPE_SIGNIN_LIMIT = '0';
    cookies = await signInRoles(['annotator', 'lead', 'admin']);
  });
  afterAll(closeRoutes);

  it('answers 404 for every endpoint in better-auth’s router that Loupe does not mount', async () => {
    const { getAuth, MOUNTED_AUTH_PATHS } = await import('./auth');
    const endpoints = Object.values(
      getAuth().api as Record<string, { path?: string; options?: { method: string | string[]; metadata?: { SERVER_ONLY?: boolean } } }>,
    )
      .filter((endpoint) => endpoint.path && !endpoint.options?.metadata?.SERVER_ONLY)
      .map((endpoint) => ({ path: endpoint.path!, method: [endpoint.options!.method].flat()[0] as 'GET' | 'POST' }));
    const paths = endpoints.map((e) => e.path);
    // Each mounted endpoint has its own test below; mounting another needs one too.
    expect([...MOUNTED_AUTH_PATHS].sort()).toEqual(TESTED.sort());
    for (const path of MOUNTED_AUTH_PATHS) expect(paths).toContain(path);
    expect(endpoints.length).toBeGreaterThan(20);
    const before = await usernames();
    const open: string[] = [];
    for (const { path, method } of endpoints) {
      if ((MOUNTED_AUTH_PATHS as readonly string[]).includes(path)) continue;
      for (const cookie of [cookies.get('annotator'), cookies.get('admin')]) {
        const body = {
          username: 'taken-name',
          name: 'taken-name',
          email: 'x@example.org',
          password: 'a long password',
          newEmail: 'y@example.org',
          token: 'x',
          callbackURL: '/',
        };
        const { status } = await auth(path.replace(/:\w+/g, 'x'), { method, cookie, body });
        if (status !== 404) open.push(`${method} ${path}: ${status}`);
      }
    }
    expect(open).toEqual([]);
    expect(await usernames()).toEqual(before);
  });

  const TESTED = [
    '/sign-in/username',
    '/sign-out',
    '/get-session',
    '/change-password',
    '/list-sessions',
    '/revoke-session',
    '/revoke-sessions',
    '/revoke-other-sessions',
    '/ok',
    '/error',
  ];

  it('refuses sign-up and renaming, for an admin too (renames go through /api/users)', async () => {
    const before = await usernames();
    expect(
      (
        await auth('/sign-up/email', {
          origin: TEST_ORIGIN,
          body: { email: 'new@example.org', password: 'a long password', name: 'new', username: 'newbie' },
        })
      ).status,
    ).toBe(404);
    for (const role of ['annotator', 'admin'] as const) {
      for (const body of [
        { username: 'only-lead' },
        { username: 'fresh-name' },
        { name: 'fresh-name' },
        { displayUsername: 'only-lead' },
      ]) {
        expect((await auth('/update-user', { cookie: cookies.get(role), body })).status, `${role} ${JSON.stringify(body)}`).toBe(404);
      }
    }
    expect((await auth('/change-email', { cookie: cookies.get('annotator'), body: { newEmail: 'x@example.org' } })).status).toBe(404);
    expect((await auth('/sign-in/email', { body: { email: 'only-annotator@users.loupe.invalid', password: PASSWORD } })).status).toBe(404);
    expect((await auth('/is-username-available', { body: { username: 'only-lead' } })).status).toBe(404);
    expect(await usernames()).toEqual(before);
    expect((await sessionOf(cookies.get('annotator')!))?.user.username).toBe('only-annotator');
  });

  it('signs in only from this site: a foreign or missing Origin is refused without a cookie too', async () => {
    const body = { username: 'only-annotator', password: PASSWORD };
    const foreign = await auth('/sign-in/username', { origin: 'http://evil.example', body });
    expect(foreign.status).toBe(403);
    expect(foreign.cookie).toBe('');
    expect((await auth('/sign-in/username', { origin: null, body })).status).toBe(403);
    expect((await auth('/sign-in/username', { origin: 'http://localhost:3001', body })).status).toBe(403);
    expect((await auth('/sign-in/username', { body })).status).toBe(200);
    // The team's own addresses for the same server.
    expect((await auth('/sign-in/username', { host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000', body })).status).toBe(200);
    expect((await auth('/sign-in/username', { host: 'loupe-box.lan:3000', origin: 'http://loupe-box.lan:3000', body })).status).toBe(200);
    expect((await auth('/sign-in/username', { body: { ...body, password: 'wrong password' } })).status).toBe(401);
  });

  it('changes the password from 127.0.0.1, from a team hostname and from BETTER_AUTH_URL, never from another site', async () => {
    const { addUser } = await import('./users');
    const { getDb } = await import('@/db');
    await addUser(getDb(), { username: 'pw-changer', roles: ['annotator'], password: PASSWORD });
    let current = PASSWORD;
    const change = async (cookie: string, host: string | undefined, origin: string) => {
      const next = `${current}-x`;
      const answer = await auth('/change-password', { cookie, host, origin, body: { currentPassword: current, newPassword: next } });
      if (answer.status === 200) current = next;
      return answer.status;
    };
    const cookie = await signIn('pw-changer');
    expect(await change(cookie, '127.0.0.1:3000', 'http://127.0.0.1:3000')).toBe(200);
    expect(await change(cookie, 'loupe-box.lan:3000', 'http://loupe-box.lan:3000')).toBe(200);
    expect(await change(cookie, '127.0.0.1:3000', 'http://evil.example')).toBe(403);
    expect(await change(cookie, 'loupe-box.lan:3000', 'http://127.0.0.1:3000')).toBe(403);
    expect(await change(cookie, undefined, 'null')).toBe(403);
    process.env.BETTER_AUTH_URL = 'https://loupe.example.org';
    try {
      expect(await change(cookie, 'loupe.internal:3000', 'https://loupe.example.org')).toBe(200);
      expect(await change(cookie, 'loupe.internal:3000', 'https://evil.example')).toBe(403);
    } finally {
      delete process.env.BETTER_AUTH_URL;
    }
    // The last accepted password is the one that works.
    expect((await auth('/sign-in/username', { body: { username: 'pw-changer', password: current } })).status).toBe(200);
    expect((await auth('/sign-in/username', { body: { username: 'pw-changer', password: PASSWORD } })).status).toBe(401);
  });

  it('get-session, list-sessions and the revoke endpoints act on the caller’s own sessions only', async () => {
    expect((await sessionOf(cookies.get('lead')!))?.user.username).toBe('only-lead');
    expect((await auth('/get-session', { method: 'GET' })).json).toBeNull();

    const first = await signIn('only-annotator');
    const second = await signIn('only-annotator');
    const leadCookie = await signIn('only-lead');
    const listed = (await auth('/list-sessions', { method: 'GET', cookie: first })).json as { token: string; userId: string }[];
    expect(listed.length).toBeGreaterThanOrEqual(2);
    expect(new Set(listed.map((s) => s.userId)).size).toBe(1);
    expect((await auth('/list-sessions', { method: 'GET' })).status).toBe(401);

    // Revoking another user's session by its token does nothing to it.
    const leadToken = decodeURIComponent(leadCookie.split('=')[1]).split('.')[0];
    await auth('/revoke-session', { cookie: first, body: { token: leadToken } });
    expect((await sessionOf(leadCookie))?.user.username).toBe('only-lead');
    // A foreign origin cannot revoke even one's own sessions.
    expect((await auth('/revoke-other-sessions', { cookie: first, origin: 'http://evil.example' })).status).toBe(403);
    expect(await sessionOf(second)).not.toBeNull();

    expect((await auth('/revoke-other-sessions', { cookie: first })).status).toBe(200);
    expect(await sessionOf(second)).toBeNull();
    expect(await sessionOf(first)).not.toBeNull();
    expect((await sessionOf(leadCookie))?.user.username).toBe('only-lead');

    const third = await signIn('only-annotator');
    const ownToken = decodeURIComponent(third.split('=')[1]).split('.')[0];
    expect((await auth('/revoke-session', { cookie: first, body: { token: ownToken } })).status).toBe(200);
    expect(await sessionOf(third)).toBeNull();

    expect((await auth('/revoke-sessions', { cookie: first })).status).toBe(200);
    expect(await sessionOf(first)).toBeNull();
    expect((await sessionOf(leadCookie))?.user.username).toBe('only-lead');
  });

  it('sign-out ends only that session; ok and error answer', async () => {
    const cookie = await signIn('only-lead');
    expect((await auth('/sign-out', { cookie, origin: 'http://evil.example' })).status).toBe(403);
    expect(await sessionOf(cookie)).not.toBeNull();
    expect((await auth('/sign-out', { cookie })).status).toBe(200);
    expect(await sessionOf(cookie)).toBeNull();
    expect((await sessionOf(cookies.get('lead')!))?.user.username).toBe('only-lead');
    expect((await auth('/ok', { method: 'GET' })).status).toBe(200);
    expect((await auth('/error', { method: 'GET' })).status).toBe(200);
  });
});
