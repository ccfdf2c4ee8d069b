import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTemp, tempDb } from '@/lib/test/factories';
import { createAuth } from './auth';
import { addUser, generatePassword, listUsers, setDisabled, setRoles } from './users';
import { LoupeError } from '@/lib/errors';

afterEach(cleanupTemp);

/** Signs in through better-auth's own endpoint, as the login page does; returns the Cookie header. */
async function signIn(auth: ReturnType<typeof createAuth>, username: string, password: string) {
  const response = await auth.handler(
    new Request('http://localhost:3000/api/auth/sign-in/username', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://localhost:3000' },
      body: JSON.stringify({ username, password }),
    }),
  );
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { status: response.status, cookie };
}

async function sessionUser(auth: ReturnType<typeof createAuth>, cookie: string) {
  const session = await auth.api.getSession({ headers: new Headers({ cookie }) });
  return session?.user as { username?: string; roles?: string } | undefined;
}

describe('accounts', () => {
  it('signs in with username and password, with an httpOnly SameSite cookie', async () => {
    const { db, dir } = tempDb();
    process.env.LOUPE_DATA_DIR = dir;
    const auth = createAuth(db);
    await addUser(db, { username: 'Ana', roles: ['annotator', 'lead'], password: 'correct horse battery' });

    const wrong = await signIn(auth, 'ana', 'wrong password!!');
    expect(wrong.status).toBe(401);

    const response = await auth.handler(
      new Request('http://localhost:3000/api/auth/sign-in/username', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://localhost:3000' },
        body: JSON.stringify({ username: 'ana', password: 'correct horse battery' }),
      }),
    );
    expect(response.status).toBe(200);
    const setCookie = response.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/loupe\.session_token=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const cookie = response.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const user = await sessionUser(auth, cookie);
    expect(user?.username).toBe('ana');
    expect(user?.roles).toBe('annotator,lead');
    // The stored password is better-auth's hash, not the password.
    const stored = db.$client.prepare('SELECT password FROM accounts').pluck().get() as string;
    expect(stored).not.toContain('correct horse');
  });

  it('disabling a user ends their session and refuses new sign-ins', async () => {
    const { db, dir } = tempDb();
    process.env.LOUPE_DATA_DIR = dir;
    const auth = createAuth(db);
    const password = generatePassword();
    expect(password.length).toBeGreaterThanOrEqual(20);
    await addUser(db, { username: 'bo', roles: ['annotator'], password });
    const { cookie } = await signIn(auth, 'bo', password);
    expect((await sessionUser(auth, cookie))?.username).toBe('bo');

    setDisabled(db, 'bo', true);
    expect(await sessionUser(auth, cookie)).toBeUndefined();
    expect((await signIn(auth, 'bo', password)).status).toBe(403);

    setDisabled(db, 'bo', false);
    expect((await signIn(auth, 'bo', password)).status).toBe(200);
  });

  it('validates names, passwords and roles', async () => {
    const { db } = tempDb();
    await expect(addUser(db, { username: 'x', roles: ['lead'], password: 'long enough pw' })).rejects.toThrow(LoupeError);
    await expect(addUser(db, { username: 'carl', roles: ['lead'], password: 'short' })).rejects.toThrow(/10 characters/);
    await expect(addUser(db, { username: 'carl', roles: [], password: 'long enough pw' })).rejects.toThrow(/role/);
    await addUser(db, { username: 'carl', roles: ['lead'], password: 'long enough pw' });
    await expect(addUser(db, { username: 'CARL', roles: ['lead'], password: 'long enough pw' })).rejects.toThrow(/exists/);
    expect(setRoles(db, 'carl', ['auditor', 'admin']).roles).toEqual(['auditor', 'admin']);
    expect(() => setRoles(db, 'nobody', ['lead'])).toThrow(/no user/);
    expect(listUsers(db).map((u) => u.username)).toEqual(['carl']);
  });
});
