'use client';

import { useState } from 'react';

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
          await fetch('/api/auth/sign-out', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        } finally {
          // Even if the request failed, the sign-in page is the right place to land.
          window.location.href = '/login';
        }
      }}
    >
      Sign out
    </button>
  );
}
