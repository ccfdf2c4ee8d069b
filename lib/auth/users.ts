import { hashPassword } from 'better-auth/crypto';
import crypto from 'node:crypto';
import type { Db } from '@/db';
import { formatRoles, parseRoles, type Role } from './roles';
import { LoupeError } from '@/lib/errors';

export interface UserSummary {
  id: string;
  username: string;
  roles: Role[];
  disabled: boolean;
  createdAt: number;
}

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,39}$/;
export const MIN_PASSWORD_LENGTH = 10;

/** Usernames are compared lowercased, as better-auth's username plugin stores them. */
export function normalizeUsername(name: string): string {
  return name.trim().toLowerCase();
}

/** A random password for `user add` without one: 20 characters, shown once. */
export function generatePassword(): string {
  return crypto.randomBytes(15).toString('base64url');
}

interface UserRow {
  id: string;
  username: string;
  roles: string;
  disabled: number;
  created_at: number;
}

const toSummary = (row: UserRow): UserSummary => ({
  id: row.id,
  username: row.username,
  roles: parseRoles(row.roles),
  disabled: row.disabled === 1,
  createdAt: row.created_at,
});

/**
 * Creates an account that signs in with username and password. The password is hashed by
 * better-auth's own scrypt hasher, and the user and credential rows are written the way its
 * Drizzle adapter reads them.
 */
export async function addUser(db: Db, input: { username: string; roles: Role[]; password: string }): Promise<UserSummary> {
  const username = normalizeUsername(input.username);
  if (!USERNAME_PATTERN.test(username)) {
    throw new LoupeError(
      'invalid',
      `invalid username "${input.username}": 2-40 of a-z, 0-9, '.', '_', '-', starting with a letter or digit`,
    );
  }
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new LoupeError('invalid', `the password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (input.roles.length === 0) throw new LoupeError('invalid', 'a user needs at least one role');
  const hash = await hashPassword(input.password);
  const id = crypto.randomUUID();
  const now = Date.now();
  db.$client
    .transaction(() => {
      if (db.$client.prepare('SELECT 1 FROM users WHERE username = ?').get(username)) {
        throw new LoupeError('conflict', `user ${username} already exists`);
      }
      db.$client
        .prepare(
          `INSERT INTO users (id, name, email, email_verified, username, display_username, roles, disabled, created_at, updated_at)
           VALUES (?, ?, ?, 0, ?, ?, ?, 0, ?, ?)`,
        )
        .run(id, username, `${username}@users.loupe.invalid`, username, username, formatRoles(input.roles), now, now);
      db.$client
        .prepare(
          `INSERT INTO accounts (id, account_id, provider_id, user_id, password, created_at, updated_at)
           VALUES (?, ?, 'credential', ?, ?, ?, ?)`,
        )
        .run(crypto.randomUUID(), id, id, hash, now, now);
    })
    .immediate();
  return getUser(db, username)!;
}

export function getUser(db: Db, username: string): UserSummary | undefined {
  const row = db.$client
    .prepare('SELECT id, username, roles, disabled, created_at FROM users WHERE username = ?')
    .get(normalizeUsername(username)) as UserRow | undefined;
  return row && toSummary(row);
}

export function listUsers(db: Db): UserSummary[] {
  const rows = db.$client.prepare('SELECT id, username, roles, disabled, created_at FROM users ORDER BY username').all() as UserRow[];
  return rows.map(toSummary);
}

function requireUser(db: Db, username: string): UserSummary {
  const user = getUser(db, username);
  if (!user) throw new LoupeError('not_found', `no user named ${normalizeUsername(username)}`);
  return user;
}

export function setRoles(db: Db, username: string, roles: Role[]): UserSummary {
  if (roles.length === 0) throw new LoupeError('invalid', 'a user needs at least one role (disable the account instead)');
  const user = requireUser(db, username);
  db.$client.prepare('UPDATE users SET roles = ?, updated_at = ? WHERE id = ?').run(formatRoles(roles), Date.now(), user.id);
  return requireUser(db, username);
}

/**
 * Renames an account (an admin's act: better-auth's update-user is not served). Everything the
 * user did is recorded under their immutable id (lib/auth/actors.ts), so it stays theirs and
 * shows the new name; a user later given the old name inherits none of it.
 */
export function renameUser(db: Db, username: string, newName: string): UserSummary {
  const name = normalizeUsername(newName);
  if (!USERNAME_PATTERN.test(name)) {
    throw new LoupeError('invalid', `invalid username "${newName}": 2-40 of a-z, 0-9, '.', '_', '-', starting with a letter or digit`);
  }
  const user = requireUser(db, username);
  db.$client
    .transaction(() => {
      if (name !== user.username && db.$client.prepare('SELECT 1 FROM users WHERE username = ?').get(name)) {
        throw new LoupeError('conflict', `user ${name} already exists`);
      }
      db.$client
        .prepare('UPDATE users SET username = ?, display_username = ?, name = ?, email = ?, updated_at = ? WHERE id = ?')
        .run(name, name, name, `${name}@users.loupe.invalid`, Date.now(), user.id);
    })
    .immediate();
  return requireUser(db, name);
}

/** Disabling also ends the user's sessions, so it takes effect on their next request. */
export function setDisabled(db: Db, username: string, disabled: boolean): UserSummary {
  const user = requireUser(db, username);
  db.$client
    .transaction(() => {
      db.$client.prepare('UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?').run(disabled ? 1 : 0, Date.now(), user.id);
      if (disabled) db.$client.prepare('DELETE FROM sessions WHERE user_id = ?').run(user.id);
    })
    .immediate();
  return requireUser(db, username);
}
