'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useKeymap } from '@/components/keyboard';
import { buttonClass } from '@/components/ui/Button';
import { ADJUDICATION_QUEUE_KEYS, shownKeys } from '@/components/keymap';

/** The queue's Start button: Enter (outside a text field) opens the first item. */
export function StartKey({ href, label }: { href: string; label: string }) {
  const router = useRouter();
  // A focused link or button already does its own thing on Enter.
  useKeymap(ADJUDICATION_QUEUE_KEYS, { start: () => router.push(href) }, { controlsOwnEnter: true });
  return (
    <Link href={href} data-testid="adjudicate-start" className={buttonClass({ variant: 'primary', size: 'md' })}>
      {label}
      <kbd className="border-neutral-400 bg-neutral-200 text-neutral-700">{shownKeys(ADJUDICATION_QUEUE_KEYS.start)}</kbd>
    </Link>
  );
}
