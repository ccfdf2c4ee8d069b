import { getDb } from '@/db';
import { changeUserRequest, type ChangeUserAnswer } from '@/lib/api/users';
import { writeTransaction } from '@/db/transaction';
import { route } from '@/lib/auth/guard';
import { getUser, normalizeUsername, renameUser, setDisabled, setRoles } from '@/lib/auth/users';
import { body, jsonError } from '@/lib/http/handler';
import { LoupeError } from '@/lib/errors';

export const dynamic = 'force-dynamic';

/**
 * PATCH /api/users/:username {roles?, disabled?, username?}: replaces the roles, disables or
 * enables the account, and/or renames it (only admins rename; see lib/auth/auth.ts). Admins cannot lock themselves out: no disabling oneself, no dropping one's own admin role.
 */
export const PATCH = route<{ params: Promise<{ username: string }> }>('users', async (request, admin, context) => {
  const username = normalizeUsername((await context.params).username);
  const change = await body(request, changeUserRequest);
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
  return Response.json({ user } satisfies ChangeUserAnswer);
});
