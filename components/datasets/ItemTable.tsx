'use client';

import { useEffect, useRef } from 'react';
import { Row, Table } from '@/components/ui/Table';
import { cx } from '@/components/ui/cx';
import type { BrowseRow } from '@/lib/api/datasets';
import { ExternalId, Instruction, STATUS_STYLE, type GridProps } from './ItemGrid';
import { useItemSelection } from './useItemSelection';

/**
 * The table view of the same rows (the page's earlier view, kept as a toggle): the loaded pages as
 * rows, the next page asked for when the end of the table comes into view. The grid's keys
 * (useItemSelection): up and down move, Home/End, Enter opens, Space selects.
 */
export function ItemTable(props: GridProps & { valueColumn?: { name: string; of: (row: BrowseRow) => number | null | undefined } }) {
  const { rows, hasMore, loadMore, seesVerdicts, valueColumn } = props;
  const { active, onKeyDown, click } = useItemSelection({
    rows,
    columns: 1,
    reveal: (index) => document.getElementById(`row-${rows[index].id}`)?.scrollIntoView({ block: 'nearest' }),
    onOpen: props.onOpen,
    onSelect: props.onSelect,
    helpOpen: props.helpOpen,
  });
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = end.current;
    if (!element || !hasMore) return;
    const observer = new IntersectionObserver(([entry]) => entry.isIntersecting && loadMore(), { rootMargin: '400px' });
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasMore, loadMore, rows.length]);

  return (
    <div
      role="group"
      tabIndex={0}
      onKeyDown={onKeyDown}
      aria-label="Items as a table: arrows move, Enter opens, Space selects"
      aria-activedescendant={rows[active] ? `row-${rows[active].id}` : undefined}
      className="group rounded-lg focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-400"
      data-testid="items-table-keys"
    >
      <Table
        fixed
        testId="items-table"
        columns={[
          { header: <span className="sr-only">Selected</span>, className: 'w-8' },
          { header: 'Id', className: 'w-60' },
          { header: 'Family / task', className: 'w-64' },
          { header: 'Type', className: 'w-24' },
          seesVerdicts && { header: 'Status', className: 'w-24' },
          valueColumn && { header: valueColumn.name, className: 'w-28' },
          'Instruction',
        ]}
      >
        {rows.map((row, index) => {
          const selected = props.isSelected(row.id);
          const value = valueColumn?.of(row);
          return (
            <Row
              key={row.id}
              id={`row-${row.id}`}
              data-selected={selected}
              data-item-id={row.id}
              onClick={click(index)}
              className={cx(
                'cursor-pointer select-none',
                selected && 'bg-sky-500/10',
                // The keyboard's place shows while the table has focus.
                index === active && 'group-focus:outline-2 group-focus:-outline-offset-2 group-focus:outline-sky-400',
              )}
            >
              <td className="py-2 pr-2">
                <span
                  className={cx('block size-3.5 rounded-sm border', selected ? 'border-sky-400 bg-sky-400' : 'border-neutral-600')}
                  aria-hidden
                />
                {selected && <span className="sr-only">selected</span>}
              </td>
              <td className="truncate py-2 pr-4 font-mono text-xs text-neutral-400" title={row.externalId}>
                <ExternalId row={row} href={props.itemHref?.(row)} />
              </td>
              <td className="truncate py-2 pr-4">
                <span className="text-neutral-500">{row.family} /</span> {row.task}
              </td>
              <td className="py-2 pr-4 text-neutral-400">{row.instructionType}</td>
              {seesVerdicts && (
                <td className="py-2 pr-4">
                  <span className={cx('rounded px-1.5 py-0.5 text-xs', STATUS_STYLE[row.status ?? 'pending'])}>{row.status}</span>
                </td>
              )}
              {valueColumn && <td className="py-2 pr-4 tabular-nums text-neutral-400">{value == null ? '–' : Number(value.toFixed(3))}</td>}
              <td className="truncate py-2 text-neutral-200" title={row.instruction} data-testid="item-row-instruction">
                <Instruction row={row} />
              </td>
            </Row>
          );
        })}
      </Table>
      <div ref={end} className="h-8 py-2 text-center text-xs text-neutral-400">
        {hasMore ? 'Loading more…' : rows.length > 0 ? `All ${rows.length.toLocaleString('en-US')} shown` : ''}
      </div>
    </div>
  );
}
