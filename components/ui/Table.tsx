import type { ComponentProps, ReactNode } from 'react';
import { cx } from './cx';

/** One column's header: its text (none for an actions column), width and padding classes, alignment, hover text. */
export interface Column {
  header?: ReactNode;
  /** Width and padding of the header cell, e.g. 'w-24' or 'w-64 pl-6'; the body cells carry their own. */
  className?: string;
  align?: 'left' | 'right';
  title?: string;
}

/** A column may be a bare header, or left out with a falsy value (`!datasetId && 'Dataset'`, or an empty string). */
export type ColumnSpec = Column | string | false | null | undefined;

/** The header cells to draw: columns left out are dropped, bare headers become columns. */
export function headerCells(columns: readonly ColumnSpec[]): (Column & { key: number; cellClass: string })[] {
  return columns
    .filter(
      (column): column is Column | string =>
        (typeof column === 'string' && column !== '') || (typeof column === 'object' && column !== null),
    )
    .map((column, key) => {
      const { header, className, align, title } = typeof column === 'string' ? { header: column } : column;
      return { key, header, title, align, className, cellClass: cx('py-2 font-normal', align === 'right' && 'text-right', className) };
    });
}

/**
 * A data table in Loupe's look: the header drawn once from `columns`, the body rows passed as
 * children (each a `Row`). `fixed` lays the columns out by their widths (long text truncates).
 */
export function Table({
  columns,
  children,
  fixed = false,
  className,
  testId,
}: {
  columns: readonly ColumnSpec[];
  children: ReactNode;
  fixed?: boolean;
  className?: string;
  testId?: string;
}) {
  return (
    <table className={cx('w-full text-sm', fixed && 'table-fixed', className)} data-testid={testId}>
      <thead className="text-left text-xs uppercase tracking-wide text-neutral-500">
        <tr className="border-b border-neutral-800">
          {headerCells(columns).map((column) => (
            <th key={column.key} scope="col" className={column.cellClass} title={column.title}>
              {column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** A body row with the table's rule under it; other props (key, data-testid, title) go to the <tr>. */
export function Row({ className, ...props }: ComponentProps<'tr'>) {
  return <tr {...props} className={cx('border-b border-neutral-800/60', className)} />;
}
