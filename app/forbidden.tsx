import Link from 'next/link';
import { buttonClass } from '@/components/ui/Button';
import { optionalUser } from '@/lib/auth/page';

/** What forbidden() renders (with a 403) when the user's roles lack a page's permission. */
export default async function Forbidden() {
  const user = await optionalUser();
  return (
    <div className="flex flex-1 items-center justify-center px-6 py-16">
      <div className="max-w-md text-center">
        <h1 className="text-xl font-semibold text-neutral-100">You don&apos;t have access to this page</h1>
        <p className="mt-3 text-sm leading-6 text-neutral-400">
          {user ? (
            <>
              You are signed in as <span className="text-neutral-200">{user.username}</span> with the{' '}
              {user.roles.length === 1 ? 'role' : 'roles'} <span className="text-neutral-200">{user.roles.join(', ') || 'none'}</span>,
              which does not include this page. An admin can change your roles.
            </>
          ) : (
            'Your roles do not include this page. An admin can change them.'
          )}
        </p>
        <Link href="/" className={buttonClass({ size: 'md', className: 'mt-6' })}>
          Back to Loupe
        </Link>
      </div>
    </div>
  );
}
