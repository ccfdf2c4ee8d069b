/**
 * A chart's frame: its title, the chart drawn as one image with a spoken summary (aria-label),
 * and the same numbers as a table under "Table" for screen readers and for copying.
 */
export function Figure({
  title,
  summary,
  table,
  children,
  testId,
  emptyRows,
}: {
  title: string;
  summary: string;
  table: React.ReactNode;
  children: React.ReactNode;
  testId?: string;
  /** Why some rows have no bar ("nothing decided yet in …"), said under the chart. */
  emptyRows?: string;
}) {
  return (
    <figure className="min-w-0 rounded-lg border border-neutral-800 bg-neutral-900/40 p-4" data-testid={testId}>
      <figcaption className="mb-3 text-xs uppercase tracking-wide text-neutral-500">{title}</figcaption>
      <div role="img" aria-label={summary}>
        {children}
      </div>
      {emptyRows && (
        <p className="mt-2 text-xs text-neutral-400" data-testid="empty-rows">
          {emptyRows}
        </p>
      )}
      <details className="mt-3 text-sm">
        <summary className="cursor-pointer text-xs text-neutral-500 hover:text-neutral-300">Table</summary>
        <div className="mt-2 overflow-x-auto">{table}</div>
      </details>
    </figure>
  );
}

/** A compact numeric table: the first column text, the others right-aligned numbers. */
export function DataTable({ head, rows }: { head: string[]; rows: (string | number)[][] }) {
  return (
    <table className="w-full text-xs tabular-nums">
      <thead className="text-neutral-500">
        <tr className="border-b border-neutral-800">
          {head.map((h, i) => (
            <th key={h} scope="col" className={`py-1 pr-3 font-normal ${i === 0 ? 'text-left' : 'text-right'}`}>
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, r) => (
          <tr key={r} className="border-b border-neutral-800/60">
            {row.map((cell, i) =>
              i === 0 ? (
                <th key={i} scope="row" className="py-1 pr-3 text-left font-normal text-neutral-300">
                  {cell}
                </th>
              ) : (
                <td key={i} className="py-1 pr-3 text-right text-neutral-300">
                  {cell}
                </td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
