/**
 * Whether a key event's target is a field the user types into (input, textarea, select or
 * contenteditable): page shortcuts then stay out of the way. The one copy every keyboard-first
 * page (review, audit, item) uses.
 */
export function isTyping(target: EventTarget | null) {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}
