'use client';

import { shownKeys, REVIEW_KEYS } from '@/components/keymap';
import type { ReviewItem } from '@/lib/review/items';
import type { InspectMode } from './InspectView';
import { canRegeneratePair, type ReviewActions } from './useReviewKeys';

type Action = keyof ReviewActions;

/**
 * The review page's buttons: each runs the same action as its key (components/keymap.ts), and shows that key.
 * Compact enough to stay on one row at 1440 px, every button shown (e2e/review-polish.spec.ts measures it).
 */
export function ActionBar({
  item,
  actions,
  inspect,
  showMask,
  noteSaved,
}: {
  item: ReviewItem;
  actions: ReviewActions;
  inspect: InspectMode | null;
  showMask: boolean;
  noteSaved: boolean;
}) {
  const button = (action: Action, label: string, className: string) => (
    <ActionButton action={action} onClick={() => actions[action](REVIEW_KEYS[action].keys[0])} className={className}>
      {label}
    </ActionButton>
  );
  const quiet = 'text-neutral-400 hover:bg-neutral-800';
  return (
    <>
      {button('accept', 'Accept', 'bg-emerald-700 text-white hover:bg-emerald-800')}
      {button('reject', 'Reject', 'bg-rose-600 text-white hover:bg-rose-700')}
      {button('skip', 'Skip', 'bg-neutral-800 text-neutral-200 hover:bg-neutral-700')}
      {button('undo', 'Undo', 'text-neutral-300 hover:bg-neutral-800')}
      <span className="mx-1 h-5 w-px bg-neutral-800" />
      {button('edit', 'Edit', quiet)}
      {button('note', noteSaved ? 'Note saved' : 'Note', quiet)}
      {button('regenerate', 'Regenerate', quiet)}
      {canRegeneratePair(item) && button('regeneratePair', 'Regenerate pair', quiet)}
      {button('rewrite', 'Rewrite', quiet)}
      <span className="mx-1 h-5 w-px bg-neutral-800" />
      {button('inspectSide', 'Inspect', inspectClass(inspect === 'side'))}
      {button('inspectSwipe', 'Swipe', inspectClass(inspect === 'swipe'))}
      {button('inspectDifference', 'Difference', inspectClass(inspect === 'difference'))}
      {item.mask && button('mask', 'Mask', inspectClass(showMask))}
    </>
  );
}

function inspectClass(active: boolean) {
  return active ? 'bg-neutral-200 text-neutral-900' : 'text-neutral-400 hover:bg-neutral-800';
}

function ActionButton({
  action,
  onClick,
  className,
  children,
}: {
  action: Action;
  onClick: () => void;
  className: string;
  children: React.ReactNode;
}) {
  return (
    <button
      onClick={onClick}
      className={`flex shrink-0 items-center gap-1.5 rounded-md px-2.5 py-1.5 text-sm font-medium whitespace-nowrap focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-400 ${className}`}
    >
      {children}
      <kbd className="border-current/30 bg-black/20 text-current opacity-80">{shownKeys(REVIEW_KEYS[action])}</kbd>
    </button>
  );
}
