import { cloneElement, useId, type ReactElement, type ReactNode } from 'react';
import { cx } from './cx';

const LOOK = {
  /** A small grey label over the control, as in the toolbars' forms. */
  sm: { box: 'flex flex-col gap-1', label: 'text-xs text-neutral-500' },
  /** A readable label over a full-width control (sign-in, password). */
  md: { box: 'flex flex-col gap-1.5', label: 'text-sm text-neutral-300' },
} as const;

/**
 * A form control with a real <label> tied to it: the label's `htmlFor` is the control's id (its
 * own, or one made here), so clicking the label focuses it and `getByLabel` finds it.
 */
export function Field({
  label,
  children,
  size = 'sm',
  className,
}: {
  label: ReactNode;
  children: ReactElement<{ id?: string }>;
  size?: keyof typeof LOOK;
  className?: string;
}) {
  const made = useId();
  const id = children.props.id ?? made;
  return (
    <div className={cx(LOOK[size].box, className)}>
      <label htmlFor={id} className={LOOK[size].label}>
        {label}
      </label>
      {cloneElement(children, { id })}
    </div>
  );
}
