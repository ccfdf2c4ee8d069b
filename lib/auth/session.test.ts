/**
 * The session lookup (./session.ts) over real route handlers and better-auth's real endpoints:
 * every way a session ends or a user changes takes effect on the very next request, including
 * a change written by another connection (the CLI's `user disable` runs in another process).
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRoute, closeRoutes, signIn, signInRoles } from '@/lib/test/routes';

const AUTH_ROUTE = 'app/api/auth/[...all]/route.ts';
/** A route every role may call (view), and one only a lead may (adjudicate). */
const viewing = (cookie: string) => callRoute('app/api/jobs/route.ts', 'GET', { url: '/api/jobs', cookie });
const leading = (cookie: string) => callRoute('app/api/leases/route.ts', 'GET', { url: '/api/leases', cookie });

async function db() {
  const { getDb } = await import('@/db');
  return getDb();
}

async function newUser(username: string, roles: ('annotator' | 'lead')[] = ['annotator']) {
  const { addUser } = await import('./users');
  await addUser(await db(), { username, roles, password: 'route-test-password' });
  return signIn(username);
}

/** The token of a Cookie header's session cookie (before the signature). */
const tokenOf = (cookie: string) => decodeURIComponent(cookie.split('=')[1]).split('.')[0];

describe('the session lookup', () => {
  beforeAll(async () => {
    process.env.LOUPE_SIGNIN_LIMIT = '0';
    await signInRoles(['annotator']);
  });
  afterAll(closeRoutes);

  it('answers the signed-in user, and 401 without a cookie or with a forged one', async () => {
    const cookie = await newUser('plain-user');
    expect((await viewing(cookie)).status).toBe(200);
    expect((await viewing('')).status).toBe(401);
    const [name, value] = cookie.split('=');
    const [token, signature] = decodeURIComponent(value).split('.');
    // A real token with someone else's signature, a made-up token, a signature cut short.
    const other = decodeURIComponent((await newUser('other-user')).split('=')[1]).split('.')[1];
    for (const forged of [`${token}.${other}`, `made-up-token.${signature}`, `${token}.${signature.slice(0, 20)}`, token]) {
      expect((await viewing(`${name}=${encodeURIComponent(forged)}`)).status).toBe(401);
    }
  });

  it('refuses a session at once after sign-out', async () => {
    const cookie = await newUser('signs-out');
    expect((await viewing(cookie)).status).toBe(200);
    const out = await callRoute(AUTH_ROUTE, 'POST', { url: '/api/auth/sign-out', cookie });
    expect(out.status).toBe(200);
    expect((await viewing(cookie)).status).toBe(401);
  });

  it('refuses a user at once once disabled, here or by another process, and lets them in again after', async () => {
    const { setDisabled } = await import('./users');
    const here = await newUser('disabled-here');
    expect((await viewing(here)).status).toBe(200);
    setDisabled(await db(), 'disabled-here', true);
    expect((await viewing(here)).status).toBe(401);

    // Another process with its own connection, setting only the flag (sessions left in place).
    const there = await newUser('disabled-there');
    expect((await viewing(there)).status).toBe(200);
    const cli = new Database((await db()).$client.name);
    cli.prepare("UPDATE users SET disabled = 1 WHERE username = 'disabled-there'").run();
    expect((await viewing(there)).status).toBe(401);
    cli.prepare("UPDATE users SET disabled = 0 WHERE username = 'disabled-there'").run();
    cli.close();
    expect((await viewing(there)).status).toBe(200);
  });

  it('applies a role change at once, both ways', async () => {
    const { setRoles } = await import('./users');
    const cookie = await newUser('changes-role', ['lead']);
    expect((await leading(cookie)).status).toBe(200);
    setRoles(await db(), 'changes-role', ['annotator']);
    expect((await leading(cookie)).status).toBe(403);
    expect((await viewing(cookie)).status).toBe(200);
    setRoles(await db(), 'changes-role', ['annotator', 'lead']);
    expect((await leading(cookie)).status).toBe(200);
  });

  it('ends the other sessions at once on a password change that revokes them (as the account page asks)', async () => {
    const phone = await newUser('changes-password');
    const laptop = await signIn('changes-password');
    expect((await viewing(phone)).status).toBe(200);
    const changed = await callRoute(AUTH_ROUTE, 'POST', {
      url: '/api/auth/change-password',
      cookie: laptop,
      body: { currentPassword: 'route-test-password', newPassword: 'a new long password', revokeOtherSessions: true },
    });
    expect(changed.status).toBe(200);
    expect((await viewing(phone)).status).toBe(401);
    expect((await viewing(changed.cookie || laptop)).status).toBe(200);
  });

  it('refuses a revoked session (revoke-session) at once', async () => {
    const kept = await newUser('revokes');
    const revoked = await signIn('revokes');
    expect((await viewing(revoked)).status).toBe(200);
    const answer = await callRoute(AUTH_ROUTE, 'POST', {
      url: '/api/auth/revoke-session',
      cookie: kept,
      body: { token: tokenOf(revoked) },
    });
    expect(answer.status).toBe(200);
    expect((await viewing(revoked)).status).toBe(401);
    expect((await viewing(kept)).status).toBe(200);
  });

  it('refuses an expired session and renews one that is due, as better-auth does', async () => {
    const expired = await newUser('expires');
    const sessions = (await db()).$client;
    sessions.prepare('UPDATE sessions SET expires_at = ? WHERE token = ?').run(Date.now() - 1000, tokenOf(expired));
    expect((await viewing(expired)).status).toBe(401);
    expect(sessions.prepare('SELECT count(*) FROM sessions WHERE token = ?').pluck().get(tokenOf(expired))).toBe(0);

    // Signed in 13 days ago (14-day sessions, renewed once a day): renewed on this request.
    const due = await signIn('expires');
    const inADay = Date.now() + 24 * 3600 * 1000;
    sessions.prepare('UPDATE sessions SET expires_at = ? WHERE token = ?').run(inADay, tokenOf(due));
    expect((await viewing(due)).status).toBe(200);
    const renewed = sessions.prepare('SELECT expires_at FROM sessions WHERE token = ?').pluck().get(tokenOf(due)) as number;
    expect(renewed).toBeGreaterThan(inADay + 12 * 24 * 3600 * 1000);
  });
});
