import 'server-only';
import { headers } from 'next/headers';
import { forbidden, redirect } from 'next/navigation';
import { can, type Permission } from './roles';
import { currentUser, type SessionUser } from './session';

/**
 * The signed-in user of a page that needs `permission`: without a session the browser is
 * sent to /login (and back to `path` after), without the role the page answers 403.
 */
export async function requirePage(permission: Permission, path: string): Promise<SessionUser> {
  const user = await currentUser(await headers());
  if (!user) redirect(`/login?next=${encodeURIComponent(path)}`);
  if (!can(user.roles, permission)) forbidden();
  return user;
}

/** The signed-in user, if any (the header and the login page). */
export async function optionalUser(): Promise<SessionUser | null> {
  return currentUser(await headers());
}
