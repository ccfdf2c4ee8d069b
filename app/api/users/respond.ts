import { jsonError } from '@/lib/http/handler';
import { UserError } from '@/lib/auth/users';

/** Runs an account change; a UserError (unknown user, taken name, short password) answers its status. */
export async function userErrors(run: () => Promise<Response> | Response): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof UserError) return jsonError(error.message, error.status);
    throw error;
  }
}
