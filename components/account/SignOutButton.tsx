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
        // A full page load, not a router push: it drops every client cache of the signed-out user.
        // eslint-disable-next-line @next/next/no-location-assign-relative-destination
        window.location.href = '/login';
      }}
    >
      Sign out
    </button>
  );
}
