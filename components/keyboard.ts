import { useEffect, useLayoutEffect, useRef, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { actionFor, type Keymap } from './keymap';

/**
 * Whether a key event's target is a field the user types into (input, textarea, select or
 * contenteditable): page shortcuts then stay out of the way. Every keyboard-first page (review,
 * audit, item, the adjudication queue, the dataset browser) binds its keys through useKeymap or
 * keymapKeyDown, so this is the one copy.
 */
function isTyping(target: EventTarget | null) {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

/** Runs an action with the key that was pressed; `false` means "not now" (the key keeps its default). */
type KeyHandler = (key: string) => void | false;

export type KeyHandlers<K extends Keymap> = Record<keyof K & string, KeyHandler>;

interface KeymapOptions {
  /** The page's mode (see KeyAction.mode); default 'normal'. */
  mode?: string;
  /** Enter on a focused link or button is that control's own (its click), not the page's. */
  controlsOwnEnter?: boolean;
}

/**
 * Handles one keydown for a page: ignored while typing or with a modifier (Shift aside), else
 * the action its keymap gives the key in the current mode runs, and the key's default is
 * prevented unless the handler answered false. Answers whether an action ran.
 */
function handleKey<K extends Keymap>(keymap: K, handlers: KeyHandlers<K>, event: KeyboardEvent, options: KeymapOptions = {}): boolean {
  if (isTyping(event.target) || event.metaKey || event.ctrlKey || event.altKey) return false;
  const { key } = event;
  if (options.controlsOwnEnter && key === 'Enter' && event.target instanceof HTMLElement && event.target.closest('a, button')) return false;
  const action = actionFor(keymap, options.mode ?? 'normal', key, event.shiftKey);
  if (action === undefined || handlers[action](key) === false) return false;
  event.preventDefault();
  return true;
}

/**
 * Binds a page's keymap on the window. `handlers` must name every action of the keymap (its
 * type says so); the latest handlers and mode are used, so they may close over render state.
 */
export function useKeymap<K extends Keymap>(keymap: K, handlers: KeyHandlers<K>, options: KeymapOptions = {}) {
  const latest = useRef({ handlers, options });
  // Before paint, so a key pressed right after an item changes acts on the item now on screen.
  useLayoutEffect(() => {
    latest.current = { handlers, options };
  });
  useEffect(() => {
    const listener = (e: KeyboardEvent) => handleKey(keymap, latest.current.handlers, e, latest.current.options);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, [keymap]);
}

/**
 * A keymap bound on one focusable element instead of the window (the dataset browser's list: its
 * keys move its own active item), as its onKeyDown: keys pressed while the element itself has
 * focus, not a control inside it, run as useKeymap runs them.
 */
export function keymapKeyDown<K extends Keymap>(keymap: K, handlers: KeyHandlers<K>, options: KeymapOptions = {}) {
  return (event: ReactKeyboardEvent) => {
    if (event.target === event.currentTarget) handleKey(keymap, handlers, event.nativeEvent, options);
  };
}
