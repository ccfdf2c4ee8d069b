'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useKeymap } from '@/components/keyboard';
import { ADJUDICATION_QUEUE_KEYS, shownKeys } from '@/components/keymap';

/** The queue's Start button: Enter (outside a text field) opens the first item. */
export function StartKey({ href, label }: { href: string; label: string }) {
  const router = useRouter();
  // A focused link or button already does its own thing on Enter.
  useKeymap(ADJUDICATION_QUEUE_KEYS, { start: () => router.push(href) }, { controlsOwnEnter: true });
  return (
    <Link
      href={href}
      data-testid="adjudicate-start"
      className="flex items-center gap-2 rounded-md bg-neutral-100 px-3 py-1.5 text-sm font-medium text-neutral-900 hover:bg-white"
    >
      {label}
      <kbd className="border-neutral-400 bg-neutral-200 text-neutral-700">{shownKeys(ADJUDICATION_QUEUE_KEYS.start)}</kbd>
    </Link>
  );
}
