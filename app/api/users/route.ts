import { z } from 'zod';
import { getDb } from '@/db';
import { route } from '@/lib/auth/guard';
import { ROLES } from '@/lib/auth/roles';
import { addUser, generatePassword, listUsers } from '@/lib/auth/users';
import { body } from '@/lib/http/handler';

export const dynamic = 'force-dynamic';

const addRequest = z.object({
  username: z.string().trim().min(1).max(40),
  roles: z.array(z.enum(ROLES)).min(1, 'a user needs at least one role'),
  /** Empty or absent: one is generated and answered once. */
  password: z.string().max(256).optional(),
});

/** GET /api/users: every account (no passwords), by username. */
export const GET = route('users', () => Response.json({ users: listUsers(getDb()) }));

/** POST /api/users {username, roles, password?}: 201 {user, password?}; the password only when generated. */
export const POST = route('users', async (request) => {
  const input = await body(request, addRequest);
  const generated = input.password ? undefined : generatePassword();
  const user = await addUser(getDb(), { username: input.username, roles: input.roles, password: input.password || generated! });
  return Response.json({ user, ...(generated && { password: generated }) }, { status: 201 });
});
