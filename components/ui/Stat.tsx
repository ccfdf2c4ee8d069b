import type { ReactNode } from 'react';
import { cx } from './cx';

/**
 * One headline figure in a card: a label, the value, a note under it (an interval, a count) and
 * optionally a sentence saying how to read it. `lg` for a page's few key figures, `md` in a row of four.
 */
export function Stat({
  label,
  value,
  note,
  children,
  size = 'md',
  testId,
}: {
  label: ReactNode;
  value: ReactNode;
  note?: ReactNode;
  children?: ReactNode;
  size?: 'md' | 'lg';
  testId?: string;
}) {
  return (
    <div className="rounded-lg border border-neutral-800 bg-neutral-900/40 p-4" data-testid={testId}>
      <h3 className="text-xs uppercase tracking-wide text-neutral-500">{label}</h3>
      <p className={cx('mt-2 font-semibold tabular-nums text-neutral-100', size === 'lg' ? 'text-3xl' : 'text-2xl')}>{value}</p>
      {note && <p className={cx('mt-1 tabular-nums text-neutral-400', size === 'lg' ? 'text-sm' : 'text-xs')}>{note}</p>}
      {children && <p className="mt-3 text-sm text-neutral-400">{children}</p>}
    </div>
  );
}
