import type { Metadata } from 'next';
import Link from 'next/link';
import './globals.css';
import { SignOutButton } from '@/components/account/SignOutButton';
import { JobKindsProvider } from '@/components/jobs/JobKinds';
import { Providers } from '@/components/Providers';
import { optionalUser } from '@/lib/auth/page';
import { can, type Permission } from '@/lib/auth/roles';
import { KIND_META } from '@/lib/jobs/kinds';

export const metadata: Metadata = {
  title: 'Loupe',
  description: 'Human review for instruction-guided image-editing datasets',
};

/** The header's sections, each shown only to roles with the permission its page needs. */
const NAV: { href: string; label: string; permission: Permission }[] = [
  { href: '/', label: 'Datasets', permission: 'view' },
  { href: '/review', label: 'Review', permission: 'review' },
  { href: '/jobs', label: 'Jobs', permission: 'view' },
  { href: '/exports', label: 'Exports', permission: 'manage' },
  { href: '/team', label: 'Team', permission: 'view' },
  { href: '/adjudicate', label: 'Adjudicate', permission: 'adjudicate' },
  { href: '/audits', label: 'Audits', permission: 'audit' },
  { href: '/dashboard', label: 'Dashboard', permission: 'view' },
  { href: '/signals', label: 'Signals', permission: 'adjudicate' },
  { href: '/admin/users', label: 'Users', permission: 'users' },
];

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const user = await optionalUser();
  return (
    <html lang="en">
      <body className="flex min-h-full flex-col font-sans">
        <Providers>
          <header className="flex h-11 shrink-0 items-center gap-6 border-b border-neutral-800 px-4 text-sm">
            <Link href="/" className="font-semibold tracking-tight text-neutral-100">
              Loupe
            </Link>
            {user && (
              <nav className="flex gap-4 text-neutral-400" aria-label="Main">
                {NAV.filter((link) => can(user.roles, link.permission)).map((link) => (
                  <Link key={link.href} href={link.href} className="hover:text-neutral-100">
                    {link.label}
                  </Link>
                ))}
              </nav>
            )}
            <div id="header-slot" className="ml-auto flex items-center gap-4" />
            {user && (
              <div className="flex items-center gap-3 border-l border-neutral-800 pl-4 text-neutral-400" data-testid="user-menu">
                <span className="text-neutral-200" title={`Roles: ${user.roles.join(', ') || 'none'}`}>
                  {user.username}
                </span>
                <Link href="/account" className="hover:text-neutral-100">
                  Account
                </Link>
                <SignOutButton className="hover:text-neutral-100 disabled:opacity-50" />
              </div>
            )}
          </header>
          <main className="flex min-h-0 flex-1 flex-col">
            <JobKindsProvider kinds={KIND_META}>{children}</JobKindsProvider>
          </main>
        </Providers>
      </body>
    </html>
  );
}
