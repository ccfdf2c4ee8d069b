import { z } from 'zod';
import { getDb } from '@/db';
import { writeTransaction } from '@/db/transaction';
import { route } from '@/lib/auth/guard';
import { ROLES } from '@/lib/auth/roles';
import { getUser, normalizeUsername, renameUser, setDisabled, setRoles } from '@/lib/auth/users';
import { body, jsonError } from '@/lib/http/handler';
import { LoupeError } from '@/lib/errors';

export const dynamic = 'force-dynamic';

const patchRequest = z
  .object({
    roles: z.array(z.enum(ROLES)).min(1, 'a user needs at least one role (disable the account instead)').optional(),
    disabled: z.boolean().optional(),
    /** A new username; the account's work stays its own (it is recorded by user id). */
    username: z.string().trim().min(1).max(40).optional(),
  })
  .refine((p) => p.roles !== undefined || p.disabled !== undefined || p.username !== undefined, 'send roles, disabled or username');

/**
 * PATCH /api/users/:username {roles?, disabled?, username?}: replaces the roles, disables or
 * enables the account, and/or renames it (only admins rename; see lib/auth/auth.ts). Admins cannot lock themselves out: no disabling oneself, no dropping one's own admin role.
 */
export const PATCH = route<{ params: Promise<{ username: string }> }>('users', async (request, admin, context) => {
  const username = normalizeUsername((await context.params).username);
  const change = await body(request, patchRequest);
  if (username === admin.username) {
    if (change.disabled) return jsonError('you cannot disable your own account (another admin can)', 400);
    if (change.roles && !change.roles.includes('admin')) {
      return jsonError('you cannot remove your own admin role (another admin can)', 400);
    }
  }
  const db = getDb();
  if (!getUser(db, username)) throw new LoupeError('not_found', `no user named ${username}`);
  // One transaction: a rename refused (taken, invalid) leaves the roles and state as they were.
  const user = writeTransaction(db, () => {
    let changed = change.roles ? setRoles(db, username, change.roles) : getUser(db, username)!;
    if (change.disabled !== undefined) changed = setDisabled(db, username, change.disabled);
    if (change.username !== undefined) changed = renameUser(db, username, change.username);
    return changed;
  });
  return Response.json({ user });
});
