import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { optionalUser } from '@/lib/auth/page';
import { LoginForm } from './LoginForm';
import { safeNext } from './safe-next';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sign in · Loupe' };

type Search = Record<string, string | string[] | undefined>;

export default async function LoginPage({ searchParams }: { searchParams: Promise<Search> }) {
  if (await optionalUser()) redirect('/');
  const next = (await searchParams).next;
  return (
    <div className="flex flex-1 items-center justify-center px-6 py-16">
      <div className="w-full max-w-sm">
        <h1 className="text-xl font-semibold text-neutral-100">Sign in to Loupe</h1>
        <p className="mt-1 mb-6 text-sm text-neutral-400">Accounts are made by an admin; ask one if you have none.</p>
        <LoginForm next={safeNext(Array.isArray(next) ? next[0] : next)} />
      </div>
    </div>
  );
}
