import type { ComponentProps } from 'react';
import { controlClass, type ControlSize } from './control';

/**
 * A native <select> in Loupe's look. Every other prop (name, value, aria-label, id…) goes to the
 * element, so a form reads it as before; name it with `aria-label` or wrap it in a `Field`.
 */
export function Select({ size = 'sm', className, ...props }: Omit<ComponentProps<'select'>, 'size'> & { size?: ControlSize }) {
  return <select {...props} className={controlClass(size, className)} />;
}
