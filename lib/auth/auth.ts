import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { APIError, createAuthMiddleware } from 'better-auth/api';
import { username } from 'better-auth/plugins';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { dataDir, getDb, schema, type Db } from '@/db';
import { originRefusal, ownOrigins } from './origin';
import { USERNAME_PATTERN } from './users';

/**
 * The session-signing secret: BETTER_AUTH_SECRET, or one generated on first use and kept
 * (owner-only) in the data directory, so a fresh install needs no configuration.
 */
function secret(): string {
  if (process.env.BETTER_AUTH_SECRET) return process.env.BETTER_AUTH_SECRET;
  const file = path.join(dataDir(), 'auth-secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const generated = crypto.randomBytes(32).toString('base64url');
    try {
      fs.writeFileSync(file, generated, { mode: 0o600, flag: 'wx' });
      return generated;
    } catch {
      return fs.readFileSync(file, 'utf8').trim(); // another process wrote it first
    }
  }
}

/** Sign-in attempts allowed per client address per minute (LOUPE_SIGNIN_LIMIT, 0: no limit). */
function signInLimit(): number {
  const value = Number(process.env.LOUPE_SIGNIN_LIMIT ?? 20);
  return Number.isFinite(value) && value >= 0 ? value : 20;
}

/**
 * The better-auth endpoints Loupe serves under /api/auth; every other one answers 404. An
 * allowlist, so an endpoint a better-auth upgrade adds stays closed until it is reviewed.
 * Closed on purpose: sign-up (accounts are made by an admin), update-user (renaming is an admin's
 * act, through /api/users or `user rename`), sign-in/email (it would bypass the sign-in rate
 * limit), is-username-available (it lists accounts), and the email, social and deletion flows.
 */
export const MOUNTED_AUTH_PATHS = [
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
] as const;
const mounted = new Set<string>(MOUNTED_AUTH_PATHS);

/**
 * Runs before every endpoint: closes the unmounted ones, and applies Loupe's origin rule to
 * every state change over HTTP, with or without a cookie (better-auth checks the Origin of
 * sign-in/username only when a cookie is sent).
 */
const guard = createAuthMiddleware(async (ctx) => {
  if (!mounted.has(ctx.path)) throw new APIError('NOT_FOUND', { message: `no such endpoint: /api/auth${ctx.path}` });
  const request = ctx.request;
  const refused = request && originRefusal(request);
  if (refused) throw new APIError('FORBIDDEN', { message: refused });
});

export function createAuth(db: Db) {
  const limit = signInLimit();
  return betterAuth({
    secret: secret(),
    // BETTER_AUTH_URL when set; otherwise the origin is taken from each request. Pages of the
    // host a request was sent to are trusted, as by Loupe's own routes (./origin.ts).
    trustedOrigins: (request?: Request) => (request ? ownOrigins(request) : []),
    hooks: { before: guard },
    database: drizzleAdapter(db, {
      provider: 'sqlite',
      schema: { user: schema.users, session: schema.sessions, account: schema.accounts, verification: schema.verifications },
    }),
    // Accounts are made by an admin (CLI or the users page), never by signing up.
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 10, maxPasswordLength: 256 },
    // The same rule as `user add`, so every account made there can sign in.
    plugins: [username({ minUsernameLength: 2, maxUsernameLength: 40, usernameValidator: (name) => USERNAME_PATTERN.test(name) })],
    user: {
      additionalFields: {
        roles: { type: 'string', required: false, defaultValue: '', input: false },
        disabled: { type: 'boolean', required: false, defaultValue: false, input: false },
      },
    },
    session: {
      expiresIn: 60 * 60 * 24 * 14,
      updateAge: 60 * 60 * 24,
      // Sessions are checked against the database on every request, so disabling a
      // user or signing out takes effect at once.
      cookieCache: { enabled: false },
    },
    rateLimit: {
      enabled: limit > 0,
      storage: 'memory',
      customRules: { '/sign-in/username': { window: 60, max: Math.max(limit, 1) } },
    },
    advanced: {
      cookiePrefix: 'loupe',
      // Secure cookies only when Loupe is served over https (BETTER_AUTH_URL): a team server on
      // plain http inside a network would otherwise set cookies its browsers refuse to send.
      useSecureCookies: (process.env.BETTER_AUTH_URL ?? '').startsWith('https://'),
      // better-auth skips its origin check under a test runner; tests check what production does.
      disableOriginCheck: false,
      database: { generateId: () => crypto.randomUUID() },
    },
    logger: { level: 'error' },
    telemetry: { enabled: false },
    databaseHooks: {
      session: {
        create: {
          before: async (session) => {
            const user = db.$client.prepare('SELECT disabled FROM users WHERE id = ?').get(session.userId) as
              { disabled: number } | undefined;
            if (!user || user.disabled) throw new APIError('FORBIDDEN', { message: 'this account is disabled' });
          },
        },
      },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;

const holder = globalThis as unknown as { __loupeAuth?: Auth };

/** The process's auth instance over the shared connection, made on first use. */
export function getAuth(): Auth {
  holder.__loupeAuth ??= createAuth(getDb());
  return holder.__loupeAuth;
}
