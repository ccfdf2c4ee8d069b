'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { isTyping } from '@/components/keyboard';

/** The queue's Start button: Enter (outside a text field) opens the first item. */
export function StartKey({ href, label }: { href: string; label: string }) {
  const router = useRouter();
  useEffect(() => {
    const listener = (e: KeyboardEvent) => {
      if (e.key !== 'Enter' || isTyping(e.target) || e.metaKey || e.ctrlKey || e.altKey) return;
      // A focused link or button already does its own thing on Enter.
      if (e.target instanceof HTMLElement && e.target.closest('a, button')) return;
      e.preventDefault();
      router.push(href);
    };
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, [href, router]);
  return (
    <Link
      href={href}
      data-testid="adjudicate-start"
      className="flex items-center gap-2 rounded-md bg-neutral-100 px-3 py-1.5 text-sm font-medium text-neutral-900 hover:bg-white"
    >
      {label}
      <kbd className="border-neutral-400 bg-neutral-200 text-neutral-700">Enter</kbd>
    </Link>
  );
}
