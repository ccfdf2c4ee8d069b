import type { ComponentProps } from 'react';
import { cx } from './cx';

export type ButtonVariant = 'primary' | 'secondary' | 'ghost' | 'danger' | 'success';
export type ButtonSize = 'xs' | 'sm' | 'md' | 'lg';

const VARIANT: Record<ButtonVariant, string> = {
  /** The one main action of a page or form. */
  primary: 'bg-neutral-100 font-medium text-neutral-900 not-disabled:hover:bg-white',
  /** Everything else: Show, Apply, Save, Cancel, Release. */
  secondary: 'border border-neutral-700 text-neutral-200 not-disabled:hover:bg-neutral-800',
  /** A quiet action beside a primary one (Browse, Export these). */
  ghost: 'text-neutral-300 not-disabled:hover:bg-neutral-800',
  /** Destructive or rejecting. */
  danger: 'bg-rose-600 font-medium text-white not-disabled:hover:bg-rose-700',
  /** Accepting. */
  success: 'bg-emerald-700 font-medium text-white not-disabled:hover:bg-emerald-800',
};

const SIZE: Record<ButtonSize, string> = {
  xs: 'px-2.5 py-1 text-xs',
  sm: 'px-3 py-1 text-sm',
  md: 'px-3 py-1.5 text-sm',
  lg: 'px-3 py-2 text-sm',
};

/**
 * A button's classes, for the few links that look like buttons (`<Link className={buttonClass(…)}>`).
 * The focus ring shows for keyboard focus only; `not-disabled:` keeps hover off disabled buttons.
 */
export function buttonClass({
  variant = 'secondary',
  size = 'sm',
  className,
}: { variant?: ButtonVariant; size?: ButtonSize; className?: string } = {}) {
  return cx(
    'inline-flex items-center justify-center gap-2 rounded-md focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-400 disabled:cursor-not-allowed disabled:opacity-40',
    VARIANT[variant],
    SIZE[size],
    className,
  );
}

/** A <button> with a variant and a size; `type` defaults to "button", so submitting a form is said out loud. */
export function Button({
  variant,
  size,
  className,
  type = 'button',
  ...props
}: ComponentProps<'button'> & { variant?: ButtonVariant; size?: ButtonSize }) {
  return <button type={type} {...props} className={buttonClass({ variant, size, className })} />;
}
