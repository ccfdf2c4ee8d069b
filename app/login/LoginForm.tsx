'use client';

import { useState } from 'react';
import { Button } from '@/components/ui/Button';
import { Field } from '@/components/ui/Field';
import { Input } from '@/components/ui/Input';
import { ApiError, post } from '@/lib/api/client';
import { SIGN_IN_PATH, type SignInRequest } from '@/lib/api/auth';
import { safeNext } from './safe-next';

/**
 * The server's own message for a failed sign-in (better-auth answers `{message}`: wrong
 * username or password, a disabled account, too many attempts), as a sentence.
 */
function failure(error: ApiError): string {
  let message = error.serverMessage?.trim() || `Sign-in failed (HTTP ${error.status}).`;
  message = message[0].toUpperCase() + message.slice(1);
  if (!/[.!?]$/.test(message)) message += '.';
  if (error.status === 429) {
    const seconds = Number(error.headers.get('x-retry-after'));
    if (seconds > 0) message += ` You can try again in ${seconds} s.`;
  }
  if (error.status === 403 && /disabled/i.test(message)) message += ' An admin can enable it again.';
  return message;
}

/** Username and password, posted to better-auth; on success the browser goes on to `next`. */
export function LoginForm({ next }: { next: string }) {
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);

  async function submit(form: HTMLFormElement) {
    const data = new FormData(form);
    setPending(true);
    setError(undefined);
    try {
      // A 401 here is a wrong username or password: the fetcher leaves it to this form (no redirect).
      await post(SIGN_IN_PATH, {
        username: String(data.get('username')).trim(),
        password: String(data.get('password')),
      } satisfies SignInRequest);
      // A full navigation, so the header and every page render for the signed-in user.
      window.location.assign(safeNext(next));
      return;
    } catch (error) {
      setError(error instanceof ApiError ? failure(error) : 'Loupe could not be reached. Check the connection and try again.');
    }
    setPending(false);
  }

  return (
    <form
      className="space-y-4"
      onSubmit={(event) => {
        event.preventDefault();
        if (!pending) void submit(event.currentTarget);
      }}
    >
      <Field label="Username" size="md">
        <Input
          id="login-username"
          size="lg"
          className="w-full"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          autoFocus
        />
      </Field>
      <Field label="Password" size="md">
        <Input id="login-password" size="lg" className="w-full" name="password" type="password" autoComplete="current-password" required />
      </Field>
      {error && (
        <p role="alert" className="rounded-md border border-rose-500/30 bg-rose-500/10 px-3 py-2 text-sm text-rose-200">
          {error}
        </p>
      )}
      <Button type="submit" variant="primary" size="lg" className="w-full" disabled={pending}>
        Sign in
      </Button>
    </form>
  );
}
