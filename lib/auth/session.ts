import crypto from 'node:crypto';
import { getDb, type Db } from '@/db';
import { statement } from '@/db/statements';
import { getAuth } from './auth';
import { parseRoles, type Role } from './roles';

/** The signed-in user as Loupe's code sees it. */
export interface SessionUser {
  /** Immutable: recorded on verdicts, comments, jobs, ... (lib/auth/actors.ts). */
  id: string;
  /** Shown; an admin can change it. */
  username: string;
  roles: Role[];
}

interface SessionRow {
  expiresAt: number;
  id: string;
  username: string | null;
  roles: string;
  disabled: number;
}

/*
 * The session and its user, read on every request from the sessions table's unique token index
 * and the users table's primary key. Nothing about a session or a user is kept between requests,
 * so a sign-out, a revoked session, a disabled account, a role change or a password change that
 * revokes sessions takes effect on the very next request, whichever process (this server, the
 * CLI's `user disable`) made it. It costs a few microseconds; better-auth's own lookup (its
 * adapter builds and prepares the SQL per request and verifies the cookie with WebCrypto) was
 * about a third of the server's CPU under a team.
 */
const SESSION_SQL = `SELECT s.expires_at AS expiresAt, u.id AS id, u.username AS username, u.roles AS roles, u.disabled AS disabled
  FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token = ?`;

export function sessionByToken(db: Db, token: string): SessionRow | undefined {
  return statement<[string], SessionRow>(db, SESSION_SQL).get(token);
}

/** What better-auth signs cookies with and the session cookie's name (they never change in a process). */
interface CookieSettings {
  name: string;
  key: Buffer;
  expiresInMs: number;
  updateAgeMs: number;
}
const holder = globalThis as unknown as { __loupeCookieSettings?: Promise<CookieSettings> };

function cookieSettings(): Promise<CookieSettings> {
  holder.__loupeCookieSettings ??= getAuth().$context.then((context) => ({
    name: context.authCookies.sessionToken.name,
    key: Buffer.from(context.secret, 'utf8'),
    expiresInMs: context.sessionConfig.expiresIn * 1000,
    updateAgeMs: context.sessionConfig.updateAge * 1000,
  }));
  return holder.__loupeCookieSettings;
}

/*
 * Cookie values whose signature was checked, and their token. A signature either matches or it
 * does not, for good, so remembering it cannot outlive a revocation (the session row is still read
 * every time); bounded, oldest dropped first.
 */
const VERIFIED_MAX = 10_000;
const verified = new Map<string, string>();

/** The token of a signed cookie value (`<token>.<base64 HMAC-SHA256>`, as better-call signs it), or null. */
export function verifiedToken(value: string, key: Buffer): string | null {
  const known = verified.get(value);
  if (known !== undefined) return known;
  const dot = value.lastIndexOf('.');
  if (dot < 1) return null;
  const token = value.slice(0, dot);
  const signature = Buffer.from(value.slice(dot + 1), 'base64');
  const expected = crypto.createHmac('sha256', key).update(token).digest();
  if (signature.length !== expected.length || !crypto.timingSafeEqual(signature, expected)) return null;
  verified.set(value, token);
  if (verified.size > VERIFIED_MAX) verified.delete(verified.keys().next().value!);
  return token;
}

/** One cookie's value from a Cookie header (URI-decoded as better-call decodes it), or undefined. */
function cookieValue(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"')) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

/**
 * The user of a request from its session cookie, or null (no cookie, bad signature, expired or
 * revoked session, disabled account). A session that is due for its daily renewal, or expired,
 * goes through better-auth's getSession, which renews or deletes the row as it always did.
 * `LOUPE_SESSION_LOOKUP=better-auth` sends every request there (bench:load's "before" run).
 */
export async function currentUser(headers: Headers): Promise<SessionUser | null> {
  if (process.env.LOUPE_SESSION_LOOKUP === 'better-auth') return betterAuthUser(headers);
  const header = headers.get('cookie');
  if (!header) return null;
  const settings = await cookieSettings();
  const value = cookieValue(header, settings.name);
  const token = value && verifiedToken(value, settings.key);
  if (!token) return null;
  const row = sessionByToken(getDb(), token);
  if (!row) return null;
  const renewDue = row.expiresAt - settings.expiresInMs + settings.updateAgeMs <= Date.now();
  if (renewDue) return betterAuthUser(headers);
  if (row.disabled || !row.username) return null;
  return { id: row.id, username: row.username, roles: parseRoles(row.roles) };
}

/** better-auth's own lookup (it verifies the cookie and the row, and renews or deletes it). */
async function betterAuthUser(headers: Headers): Promise<SessionUser | null> {
  const session = await getAuth().api.getSession({ headers });
  if (!session) return null;
  const user = session.user as typeof session.user & { username?: string | null; roles?: string; disabled?: boolean };
  if (user.disabled || !user.username) return null;
  return { id: user.id, username: user.username, roles: parseRoles(user.roles) };
}
