'use client';

import Link from 'next/link';
import { Button, buttonClass } from '@/components/ui/Button';

/** What a page that failed while rendering shows, inside the app's layout (the header stays usable). */
export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="flex flex-1 items-center justify-center px-6 py-16">
      <div className="max-w-md text-center">
        <h1 className="text-xl font-semibold text-neutral-100">This page could not be shown</h1>
        <p className="mt-3 text-sm leading-6 text-neutral-400">
          The server hit an error while building it. Nothing you did was lost.
          {error.digest && (
            <>
              {' '}
              The server log names it as <code className="text-neutral-200">{error.digest}</code>.
            </>
          )}
        </p>
        <div className="mt-6 flex justify-center gap-3">
          <Button variant="primary" size="md" onClick={reset}>
            Try again
          </Button>
          <Link href="/" className={buttonClass({ size: 'md' })}>
            Back to the datasets
          </Link>
        </div>
      </div>
    </div>
  );
}
