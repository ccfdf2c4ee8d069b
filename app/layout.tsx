import type { Metadata } from 'next';
import Link from 'next/link';
import './globals.css';
import { Providers } from '@/components/Providers';

export const metadata: Metadata = {
  title: 'Loupe',
  description: 'Human review for instruction-guided image-editing datasets',
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="flex min-h-full flex-col font-sans">
        <Providers>
          <header className="flex h-11 shrink-0 items-center gap-6 border-b border-neutral-800 px-4 text-sm">
            <Link href="/" className="font-semibold tracking-tight text-neutral-100">
              Loupe
            </Link>
            <nav className="flex gap-4 text-neutral-400">
              <Link href="/" className="hover:text-neutral-100">
                Datasets
              </Link>
              <Link href="/review" className="hover:text-neutral-100">
                Review
              </Link>
              <Link href="/jobs" className="hover:text-neutral-100">
                Jobs
              </Link>
              <Link href="/exports" className="hover:text-neutral-100">
                Exports
              </Link>
            </nav>
            <div id="header-slot" className="ml-auto flex items-center gap-4" />
          </header>
          <main className="flex min-h-0 flex-1 flex-col">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
