/**
 * better-auth's own endpoints the pages call (app/api/auth/[...all], served by lib/auth/auth.ts;
 * only MOUNTED_AUTH_PATHS). better-auth validates these bodies and answers errors as
 * `{message, code}`, which the client fetcher reads as the error's message.
 */

/** POST /api/auth/sign-in/username: 401 for a wrong username or password (shown, never redirected), 403 disabled, 429 too many. */
export const SIGN_IN_PATH = '/api/auth/sign-in/username';
export type SignInRequest = { username: string; password: string };

/** POST /api/auth/sign-out */
export const SIGN_OUT_PATH = '/api/auth/sign-out';

/** POST /api/auth/change-password: 400 "Invalid password" for a wrong current password. */
export const CHANGE_PASSWORD_PATH = '/api/auth/change-password';
export type ChangePasswordRequest = { currentPassword: string; newPassword: string; revokeOtherSessions: boolean };
