import type { Metadata } from 'next';
import { ChangePasswordForm } from '@/components/account/ChangePasswordForm';
import { PERMISSION_TEXT, ROLE_TEXT } from '@/components/account/permissions';
import { requirePage } from '@/lib/auth/page';
import { PERMISSIONS, can, type Permission } from '@/lib/auth/roles';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/users';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Account · Loupe' };

export default async function AccountPage() {
  const user = await requirePage('view', '/account');
  const allowed = (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can(user.roles, p));
  return (
    <div className="mx-auto w-full max-w-2xl px-6 py-8">
      <h1 className="mb-6 text-xl font-semibold text-neutral-100">Account</h1>

      <section className="mb-8 rounded-lg border border-neutral-800 bg-neutral-900/40 px-5 py-4 text-sm">
        <dl className="grid grid-cols-[8rem_1fr] gap-y-2">
          <dt className="text-neutral-500">Username</dt>
          <dd className="text-neutral-100" data-testid="account-username">
            {user.username}
          </dd>
          <dt className="text-neutral-500">Roles</dt>
          <dd className="flex flex-wrap gap-1.5" data-testid="account-roles">
            {user.roles.map((role) => (
              <span key={role} className="rounded bg-neutral-800 px-1.5 py-0.5 text-xs text-neutral-200" title={ROLE_TEXT[role]}>
                {role}
              </span>
            ))}
          </dd>
          <dt className="text-neutral-500">You may</dt>
          <dd className="text-neutral-300">
            <ul className="list-inside list-disc space-y-0.5 marker:text-neutral-600">
              {allowed.map((p) => (
                <li key={p}>{PERMISSION_TEXT[p]}</li>
              ))}
            </ul>
          </dd>
        </dl>
        <p className="mt-4 text-xs text-neutral-500">Roles are given by an admin.</p>
      </section>

      <section>
        <h2 className="mb-1 text-base font-medium text-neutral-100">Change password</h2>
        <p className="mb-4 text-sm text-neutral-400">
          At least {MIN_PASSWORD_LENGTH} characters. Your other sessions (other browsers and devices) are signed out.
        </p>
        <ChangePasswordForm minLength={MIN_PASSWORD_LENGTH} />
      </section>
    </div>
  );
}
