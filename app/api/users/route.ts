import { getDb } from '@/db';
import { addUserRequest, type AddUserAnswer, type UsersAnswer } from '@/lib/api/users';
import { route } from '@/lib/auth/guard';
import { addUser, generatePassword, listUsers } from '@/lib/auth/users';
import { body } from '@/lib/http/handler';

export const dynamic = 'force-dynamic';

/** GET /api/users: every account (no passwords), by username. */
export const GET = route('users', () => Response.json({ users: listUsers(getDb()) } satisfies UsersAnswer));

/** POST /api/users {username, roles, password?}: 201 {user, password?}; the password only when generated. */
export const POST = route('users', async (request) => {
  const input = await body(request, addUserRequest);
  const generated = input.password ? undefined : generatePassword();
  const user = await addUser(getDb(), { username: input.username, roles: input.roles, password: input.password || generated! });
  return Response.json({ user, ...(generated && { password: generated }) } satisfies AddUserAnswer, { status: 201 });
});
