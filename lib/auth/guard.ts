import 'server-only';
import { handle, jsonError } from '@/lib/http/handler';
import { originRefusal } from './origin';
import { PERMISSIONS, can, type Permission } from './roles';
import { currentUser, type SessionUser } from './session';

type Handler<Context> = (request: Request, user: SessionUser, context: Context) => Promise<Response> | Response;

/**
 * Wraps a route handler: 403 for a cross-origin state change (./origin.ts: its Origin must be
 * the host it was sent to, or BETTER_AUTH_URL; SameSite cookies already stop most cross-site
 * posts, this also stops same-site ones from other ports and hosts), 401 without a valid session,
 * 403 when the user's roles lack the permission, then the handler with its errors mapped
 * to JSON (see handle()).
 */
export function route<Context = unknown>(permission: Permission, run: Handler<Context>) {
  const guarded = (request: Request, context: Context) =>
    handle(async () => {
      const refused = originRefusal(request);
      if (refused) return jsonError(refused, 403);
      const user = await currentUser(request.headers);
      if (!user) return jsonError('sign in first', 401);
      if (!can(user.roles, permission)) {
        return jsonError(`forbidden: this needs the ${PERMISSIONS[permission].join(' or ')} role`, 403);
      }
      return run(request, user, context);
    });
  // The permission it checks, for the authorization matrix test (lib/auth/matrix.test.ts).
  return Object.assign(guarded, { permission });
}
