import type { Metadata } from 'next';
import { UsersAdmin } from '@/components/account/UsersAdmin';
import { getDb } from '@/db';
import { requirePage } from '@/lib/auth/page';
import { listUsers, MIN_PASSWORD_LENGTH } from '@/lib/auth/users';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Users · Loupe' };

export default async function UsersPage() {
  const admin = await requirePage('users', '/admin/users');
  return (
    <div className="mx-auto w-full max-w-5xl px-6 py-8">
      <div className="mb-6 flex items-baseline gap-4">
        <h1 className="text-xl font-semibold text-neutral-100">Users</h1>
        <span className="text-sm text-neutral-400">
          or from a shell: <code className="font-mono text-xs">npm run loupe -- user add NAME --role ROLE</code>
        </span>
      </div>
      <UsersAdmin initial={listUsers(getDb())} self={admin.id} minPasswordLength={MIN_PASSWORD_LENGTH} />
    </div>
  );
}
