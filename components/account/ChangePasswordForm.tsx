'use client';

import { useState } from 'react';
import { ApiError, post } from '@/lib/api/client';
import { CHANGE_PASSWORD_PATH, type ChangePasswordRequest } from '@/lib/api/auth';
import { Button } from '@/components/ui/Button';
import { Field } from '@/components/ui/Field';
import { Input } from '@/components/ui/Input';

type Outcome = { ok: true; text: string } | { ok: false; text: string };

/** Current, new and repeated password, posted to better-auth's change-password (other sessions revoked). */
export function ChangePasswordForm({ minLength }: { minLength: number }) {
  const [outcome, setOutcome] = useState<Outcome>();
  const [pending, setPending] = useState(false);

  async function submit(form: HTMLFormElement) {
    const data = new FormData(form);
    const currentPassword = String(data.get('current'));
    const newPassword = String(data.get('new'));
    if (newPassword.length < minLength) return setOutcome({ ok: false, text: `The new password needs at least ${minLength} characters.` });
    if (newPassword !== String(data.get('repeat'))) return setOutcome({ ok: false, text: 'The two new passwords differ.' });
    if (newPassword === currentPassword) return setOutcome({ ok: false, text: 'The new password is the same as the current one.' });
    setPending(true);
    setOutcome(undefined);
    try {
      await post(CHANGE_PASSWORD_PATH, { currentPassword, newPassword, revokeOtherSessions: true } satisfies ChangePasswordRequest);
      form.reset();
      setOutcome({ ok: true, text: 'Password changed. Your other sessions are signed out.' });
    } catch (error) {
      if (error instanceof ApiError) {
        const said = error.serverMessage;
        const message = error.status === 400 && /invalid password/i.test(said ?? '') ? 'The current password is wrong.' : said;
        setOutcome({ ok: false, text: message ?? `The password was not changed (HTTP ${error.status}).` });
      } else {
        setOutcome({ ok: false, text: 'Loupe could not be reached; the password was not changed.' });
      }
    }
    setPending(false);
  }

  const input = (id: string, label: string, autoComplete: string) => (
    <Field label={label} size="md">
      <Input
        id={`password-${id}`}
        size="lg"
        className="w-full"
        name={id}
        type="password"
        required
        minLength={id === 'current' ? undefined : minLength}
        autoComplete={autoComplete}
      />
    </Field>
  );

  return (
    <form
      aria-label="Change password"
      className="max-w-sm space-y-4"
      onSubmit={(event) => {
        event.preventDefault();
        if (!pending) void submit(event.currentTarget);
      }}
    >
      {input('current', 'Current password', 'current-password')}
      {input('new', 'New password', 'new-password')}
      {input('repeat', 'Repeat new password', 'new-password')}
      {outcome && (
        <p
          role={outcome.ok ? 'status' : 'alert'}
          className={`rounded-md border px-3 py-2 text-sm ${
            outcome.ok ? 'border-emerald-500/30 bg-emerald-500/10 text-emerald-200' : 'border-rose-500/30 bg-rose-500/10 text-rose-200'
          }`}
        >
          {outcome.text}
        </p>
      )}
      <Button type="submit" variant="primary" size="lg" disabled={pending}>
        Change password
      </Button>
    </form>
  );
}
