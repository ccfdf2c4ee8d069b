'use client';

import { useVirtualizer } from '@tanstack/react-virtual';
import Link from 'next/link';
import { useEffect, useRef, type MouseEvent } from 'react';
import { thumbUrl } from '@/components/review/api';
import { useSize } from '@/components/review/ImagePair';
import { cx } from '@/components/ui/cx';
import type { BrowseRow } from '@/lib/api/datasets';
import { useItemSelection } from './useItemSelection';

export const STATUS_STYLE: Record<string, string> = {
  pending: 'text-neutral-400 bg-neutral-800',
  accepted: 'text-emerald-300 bg-emerald-500/15',
  rejected: 'text-rose-300 bg-rose-500/15',
  disputed: 'text-amber-300 bg-amber-500/15',
};

/** A cell's least width: two thumbnails and the arrow between. */
const CELL_MIN = 300;
const CELL_HEIGHT = 232;

/** Segments of a text, the matched ones marked (React escapes the text). */
function Highlight({ segments }: { segments: { text: string; match: boolean }[] }) {
  return (
    <>
      {segments.map((segment, i) =>
        segment.match ? (
          <mark key={i} className="rounded-sm bg-amber-400/25 px-px text-amber-100" data-testid="match">
            {segment.text}
          </mark>
        ) : (
          segment.text
        ),
      )}
    </>
  );
}

export interface GridProps {
  rows: BrowseRow[];
  /** More rows exist past the loaded ones: asked for when the last loaded row nears the screen. */
  hasMore: boolean;
  loadMore: () => void;
  isSelected: (id: number) => boolean;
  /** A click (shift: the range from the last clicked) or Space on a row. */
  onSelect: (index: number, range: boolean) => void;
  /** Items open on the item page (leads); undefined when the viewer cannot open one. */
  itemHref?: (row: BrowseRow) => string;
  onOpen: (row: BrowseRow) => void;
  seesVerdicts: boolean;
  /** The page's `?` help is open: the list's keys wait. */
  helpOpen?: boolean;
}

/**
 * The dataset's items as a virtualized grid of pairs (source → edited, as the route's 384 px
 * thumbnails): only the lines on screen are in the DOM, whatever the number loaded.
 * The keys (useItemSelection): arrows move, Enter opens the item, Space selects (shift-Space: a range).
 */
export function ItemGrid(props: GridProps) {
  const { rows, hasMore, loadMore } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [sizeRef, size] = useSize<HTMLDivElement>();
  const columns = Math.max(1, Math.floor(size.width / CELL_MIN));
  const lines = Math.ceil(rows.length / columns) + (hasMore ? 1 : 0);
  const virtualizer = useVirtualizer({
    count: lines,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => CELL_HEIGHT,
    overscan: 2,
  });
  const { active, setActive, onKeyDown, click } = useItemSelection({
    rows,
    columns,
    reveal: (index) => virtualizer.scrollToIndex(Math.floor(index / columns), { align: 'auto' }),
    onOpen: props.onOpen,
    onSelect: props.onSelect,
    helpOpen: props.helpOpen,
  });
  const items = virtualizer.getVirtualItems();
  const lastLine = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (hasMore && lastLine >= Math.ceil(rows.length / columns) - 2) loadMore();
  }, [hasMore, lastLine, rows.length, columns, loadMore]);
  // A new filter: back to the top.
  const first = rows[0]?.id;
  useEffect(() => {
    setActive(0);
    scrollRef.current?.scrollTo({ top: 0 });
  }, [first, setActive]);

  // Only a cell in the DOM can be the active descendant (the grid draws the lines in view).
  const activeLine = Math.floor(active / columns);
  const drawn = items.length > 0 && activeLine >= items[0].index && activeLine <= items[items.length - 1].index;
  const activeId = rows[active] && drawn ? `item-${rows[active].id}` : undefined;

  return (
    <div ref={sizeRef}>
      <div
        ref={scrollRef}
        role="grid"
        aria-label="Items as a grid of pairs"
        aria-rowcount={lines}
        aria-activedescendant={activeId}
        aria-multiselectable
        tabIndex={0}
        onKeyDown={onKeyDown}
        data-testid="items-grid"
        className="group relative h-[calc(100vh-15rem)] min-h-96 overflow-y-auto rounded-lg border border-neutral-800 bg-neutral-950 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-400"
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((line) => {
            const cells = rows.slice(line.index * columns, line.index * columns + columns);
            return (
              <div
                key={line.key}
                role="row"
                className="absolute left-0 grid w-full gap-3 px-3 pt-3"
                style={{
                  height: line.size,
                  transform: `translateY(${line.start}px)`,
                  gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`,
                }}
              >
                {cells.length === 0 && (
                  <div role="gridcell" className="flex h-full items-center justify-center text-sm text-neutral-400">
                    Loading…
                  </div>
                )}
                {cells.map((row, i) => {
                  const index = line.index * columns + i;
                  const cellProps = {
                    row,
                    active: index === active,
                    selected: props.isSelected(row.id),
                    onClick: click(index),
                    href: props.itemHref?.(row),
                    seesVerdicts: props.seesVerdicts,
                  };
                  return <PairCell key={row.id} {...cellProps} />;
                })}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

interface CellProps {
  row: BrowseRow;
  active: boolean;
  selected: boolean;
  onClick: (event: MouseEvent) => void;
  href?: string;
  seesVerdicts: boolean;
}

export function Instruction({ row }: { row: BrowseRow }) {
  return (
    <>
      {row.decided && (row.decided.newerCandidate || row.decided.newerInstruction) && (
        <span
          className="mr-1.5 rounded bg-amber-500/15 px-1.5 py-0.5 text-xs text-amber-300"
          title="An edit or instruction was made after the decision (nobody decided on it); the decided one is shown and exported"
          data-testid="item-row-newer"
        >
          {row.decided.newerCandidate ? 'other edit since' : 'other instruction since'}
        </span>
      )}
      {row.highlight ? <Highlight segments={row.highlight.instruction} /> : row.instruction}
      {row.highlight?.elsewhere.map((other) => (
        <span key={other.label} className="ml-1.5 text-xs text-neutral-500" data-testid="match-elsewhere">
          · {other.label === 'current' ? 'current instruction' : 'input description'}: <Highlight segments={other.segments} />
        </span>
      ))}
    </>
  );
}

export function ExternalId({ row, href }: { row: BrowseRow; href?: string }) {
  return href ? (
    <Link href={href} className="hover:text-neutral-100 hover:underline" tabIndex={-1}>
      {row.externalId}
    </Link>
  ) : (
    <>{row.externalId}</>
  );
}

function Thumb({ url, label }: { url: string; label: string }) {
  return (
    // eslint-disable-next-line @next/next/no-img-element -- served by our own image route, as its stored thumbnail
    <img
      src={url}
      alt={label}
      decoding="async"
      draggable={false}
      className="aspect-square min-w-0 flex-1 rounded-sm bg-neutral-900 object-contain"
      data-testid="thumb"
    />
  );
}

function PairCell({ row, active, selected, onClick, href, seesVerdicts }: CellProps) {
  return (
    <div
      id={`item-${row.id}`}
      role="gridcell"
      aria-selected={selected}
      data-testid="grid-cell"
      data-item-id={row.id}
      onClick={onClick}
      className={cx(
        'flex h-[220px] min-w-0 cursor-pointer select-none flex-col gap-1.5 rounded-md border p-2',
        selected ? 'border-sky-500/70 bg-sky-500/10' : 'border-neutral-800 bg-neutral-900/50 hover:border-neutral-700',
        // The keyboard's place shows while the grid has focus.
        active && 'group-focus:ring-2 group-focus:ring-sky-400 group-focus:ring-offset-1 group-focus:ring-offset-neutral-950',
      )}
    >
      <div className="flex min-h-0 flex-1 items-center gap-1.5">
        <Thumb url={thumbUrl('source', row.id)} label={`Source of ${row.externalId}`} />
        <span className="text-xs text-neutral-600" aria-hidden>
          →
        </span>
        <Thumb url={thumbUrl('candidate', row.candidateId)} label={`Edited image of ${row.externalId}`} />
      </div>
      <div className="flex items-center gap-2 text-xs">
        <span
          className={cx('size-3.5 shrink-0 rounded-sm border', selected ? 'border-sky-400 bg-sky-400' : 'border-neutral-600')}
          aria-hidden
        />
        <span className="min-w-0 truncate font-mono text-neutral-400" title={row.externalId}>
          <ExternalId row={row} href={href} />
        </span>
        {seesVerdicts && row.status && <span className={cx('ml-auto rounded px-1.5 py-0.5', STATUS_STYLE[row.status])}>{row.status}</span>}
      </div>
      <p className="line-clamp-2 h-[2lh] text-xs leading-snug text-neutral-300" title={row.instruction} data-testid="cell-instruction">
        <Instruction row={row} />
      </p>
    </div>
  );
}
