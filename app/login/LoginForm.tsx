'use client';

import { useState } from 'react';
import { Button } from '@/components/ui/Button';
import { Field } from '@/components/ui/Field';
import { Input } from '@/components/ui/Input';
import { safeNext } from './safe-next';

/**
 * The server's own message for a failed sign-in (better-auth answers `{message}`: wrong
 * username or password, a disabled account, too many attempts), as a sentence.
 */
function failure(response: Response, data: { message?: string }): string {
  let message = data.message?.trim() || `Sign-in failed (HTTP ${response.status}).`;
  message = message[0].toUpperCase() + message.slice(1);
  if (!/[.!?]$/.test(message)) message += '.';
  if (response.status === 429) {
    const seconds = Number(response.headers.get('x-retry-after'));
    if (seconds > 0) message += ` You can try again in ${seconds} s.`;
  }
  if (response.status === 403 && /disabled/i.test(message)) message += ' An admin can enable it again.';
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
      const response = await fetch('/api/auth/sign-in/username', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: String(data.get('username')).trim(), password: String(data.get('password')) }),
      });
      if (response.ok) {
        // A full navigation, so the header and every page render for the signed-in user.
        window.location.assign(safeNext(next));
        return;
      }
      setError(failure(response, await response.json().catch(() => ({}))));
    } catch {
      setError('Loupe could not be reached. Check the connection and try again.');
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
        <Input id="login-username" size="lg" className="w-full" name="username" autoComplete="username" autoCapitalize="none" spellCheck={false} required autoFocus />
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
