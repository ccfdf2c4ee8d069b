import { cx } from './cx';

export type ControlSize = 'sm' | 'md' | 'lg';

/** Padding and type per size: sm in toolbars and filter bars, md in forms, lg on the sign-in and password forms. */
const SIZE: Record<ControlSize, string> = {
  sm: 'px-2 py-1',
  md: 'px-2 py-1.5 text-sm',
  lg: 'px-3 py-2 text-sm',
};

/** The look shared by text inputs and selects, so both line up in one form; keyboard focus shows buttonClass's ring. */
export function controlClass(size: ControlSize, className?: string): string {
  return cx(
    'rounded-md border border-neutral-800 bg-neutral-900 text-neutral-100 placeholder:text-neutral-600 focus:border-neutral-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-400 disabled:opacity-50',
    SIZE[size],
    className,
  );
}
