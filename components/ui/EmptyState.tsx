import type { ReactNode } from 'react';
import { cx } from './cx';

const LOOK = {
  /** A page with nothing to show yet: a framed box. */
  panel: 'rounded-lg border border-neutral-800 p-6 text-neutral-400',
  /** Under a table's header: centred. */
  table: 'py-8 text-center text-neutral-500',
  /** In a section or a card: one quiet line. */
  inline: 'text-sm text-neutral-500',
} as const;

/** What to say when there is nothing to list, and optionally what to do about it (a link or a button). */
export function EmptyState({
  message,
  action,
  look = 'panel',
  className,
  testId,
}: {
  message: ReactNode;
  action?: ReactNode;
  look?: keyof typeof LOOK;
  className?: string;
  testId?: string;
}) {
  return (
    <p className={cx(LOOK[look], className)} data-testid={testId}>
      {message}
      {action && <span className="ml-2">{action}</span>}
    </p>
  );
}
