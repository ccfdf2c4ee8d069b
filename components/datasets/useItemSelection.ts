'use client';

import { useState, type MouseEvent } from 'react';
import { keymapKeyDown, type KeyHandlers } from '@/components/keyboard';
import { DATASET_LIST_KEYS, HELP_MODE } from '@/components/keymap';
import type { BrowseRow } from '@/lib/api/datasets';

export interface ItemSelectionOptions {
  rows: BrowseRow[];
  /** Items per line: the grid's columns; the table's 1 (left and right then keep their default). */
  columns: number;
  /** Brings the item at an index into view (the grid scrolls its virtual lines, the table its row). */
  reveal: (index: number) => void;
  onOpen: (row: BrowseRow) => void;
  /** A click (shift: the range from the last one picked) or Space (shift-Space: the range) on an item. */
  onSelect: (index: number, range: boolean) => void;
  /** The page's `?` help is open: the list's keys wait. */
  helpOpen?: boolean;
}

/**
 * The grid's and the table's one way of moving and selecting: the active item (the keyboard's
 * place), the list's keys as DATASET_LIST_KEYS gives them (arrows, Home/End, Enter opens, Space
 * selects, shift-Space a range), and a click on an item (shift-click: a range), which makes it
 * the active one too. `onKeyDown` goes on the list's focusable element.
 */
export function useItemSelection({ rows, columns, reveal, onOpen, onSelect, helpOpen = false }: ItemSelectionOptions) {
  const [active, setActive] = useState(0);
  const move = (to: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, to));
    setActive(next);
    reveal(next);
  };
  // With nothing listed, every key keeps its default (a handler's false).
  const listed = rows.length > 0;
  const handlers: KeyHandlers<typeof DATASET_LIST_KEYS> = {
    moveLine: (key) => listed && move(active + (key === 'ArrowDown' ? columns : -columns)),
    moveItem: (key) => listed && columns > 1 && move(active + (key === 'ArrowRight' ? 1 : -1)),
    ends: (key) => listed && move(key === 'Home' ? 0 : rows.length - 1),
    open: () => listed && (rows[active] ? onOpen(rows[active]) : undefined),
    select: () => listed && onSelect(active, false),
    selectRange: () => listed && onSelect(active, true),
  };
  const onKeyDown = keymapKeyDown(DATASET_LIST_KEYS, handlers, { mode: helpOpen ? HELP_MODE : 'normal' });
  const click = (index: number) => (event: MouseEvent) => {
    if ((event.target as HTMLElement).closest('a')) return; // the item's own link opens it
    setActive(index);
    onSelect(index, event.shiftKey);
  };
  return { active, setActive, onKeyDown, click };
}
