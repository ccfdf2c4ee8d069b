import type { ComponentProps } from 'react';
import { controlClass, type ControlSize } from './control';

/** A native <input> in the same look as `Select`; widths and alignment come from `className`. */
export function Input({ size = 'sm', className, ...props }: Omit<ComponentProps<'input'>, 'size'> & { size?: ControlSize }) {
  return <input {...props} className={controlClass(size, className)} />;
}
