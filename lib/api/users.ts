import { z } from 'zod';
import { ROLES } from '@/lib/auth/roles';
import type { UserSummary } from '@/lib/auth/users';

/** The admin's accounts API (app/api/users): what the route handlers parse and answer. */

/** GET /api/users */
export type UsersAnswer = { users: UserSummary[] };

/** POST /api/users: 201; the password only when one was generated. */
export const addUserRequest = z.object({
  username: z.string().trim().min(1).max(40),
  roles: z.array(z.enum(ROLES)).min(1, 'a user needs at least one role'),
  /** Empty or absent: one is generated and answered once. */
  password: z.string().max(256).optional(),
});
export type AddUserRequest = z.input<typeof addUserRequest>;
export type AddUserAnswer = { user: UserSummary; password?: string };

/** PATCH /api/users/:username */
export const changeUserRequest = z
  .object({
    roles: z.array(z.enum(ROLES)).min(1, 'a user needs at least one role (disable the account instead)').optional(),
    disabled: z.boolean().optional(),
    /** A new username; the account's work stays its own (it is recorded by user id). */
    username: z.string().trim().min(1).max(40).optional(),
  })
  .refine((p) => p.roles !== undefined || p.disabled !== undefined || p.username !== undefined, 'send roles, disabled or username');
export type ChangeUserRequest = z.input<typeof changeUserRequest>;
export type ChangeUserAnswer = { user: UserSummary };
