'use client';

import { useState } from 'react';
import { post } from '@/lib/api/client';
import { SIGN_OUT_PATH } from '@/lib/api/auth';

/** Ends the session (better-auth's sign-out) and goes to the sign-in page. */
export function SignOutButton({ className }: { className?: string }) {
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      disabled={pending}
      className={className}
      onClick={async () => {
        setPending(true);
        try {
          await post(SIGN_OUT_PATH, {});
        } catch {
          // Even if the request failed (or the session had already ended), the sign-in page is the right place to land.
        }
        window.location.href = '/login';
      }}
    >
      Sign out
    </button>
  );
}
