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

/**
 * The user of a request from its session cookie, or null (no cookie, expired or revoked
 * session, disabled account). better-auth verifies the signed cookie and the session row.
 */
export async function currentUser(headers: Headers): Promise<SessionUser | null> {
  const session = await getAuth().api.getSession({ headers });
  if (!session) return null;
  const user = session.user as typeof session.user & { username?: string | null; roles?: string; disabled?: boolean };
  if (user.disabled || !user.username) return null;
  return { id: user.id, username: user.username, roles: parseRoles(user.roles) };
}
