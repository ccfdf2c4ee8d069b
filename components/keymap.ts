import { RUBRIC } from '@/lib/audit/rubric';
import { REJECT_REASONS } from '@/lib/review/reasons';

/**
 * The keyboard-first pages' keys as data: per page, each action's keys, its label and the
 * group it is listed under. The same entries drive the bindings (useKeymap in
 * components/keyboard.ts, with a handler map typed Record<action, handler>, so an action
 * cannot go unbound) and the `?` help (ShortcutDialog lists every entry), so a key is never
 * bound without being documented, nor documented without being bound.
 */
export interface KeyAction {
  /** KeyboardEvent.key values that run the action (the handler is told which one). */
  keys: readonly string[];
  /** What the help says the action does. */
  label: string;
  /** The help's heading it is listed under (groups show in the order they first appear). */
  group: string;
  /** The page mode the keys work in; a page's keys work only in its current mode. Default 'normal'. */
  mode?: string;
  /** How the help writes the keys, when not one by one (`0–9`). */
  shown?: string;
  /** One help line per key, when each key means its own thing (the reject reasons' numbers). */
  keyLabels?: readonly string[];
  /**
   * Only with Shift held (true) or only without it (false), for a key that means two things
   * (Space selects, shift-Space selects a range). Unset: either (`?` and `G` need Shift anyway).
   */
  shift?: boolean;
}

export type Keymap = Readonly<Record<string, KeyAction>>;

/** The mode in which a page's `?` help is open: its entries are the dialog's own (how to close it). */
export const HELP_MODE = 'help';

const NAMES: Record<string, string> = { Escape: 'Esc', ArrowLeft: '←', ArrowRight: '→', ArrowUp: '↑', ArrowDown: '↓', ' ': 'Space' };

/** A key as the page shows it (`Esc`, `←`). */
export const keyName = (key: string) => NAMES[key] ?? key;

const digits = (from: number, count: number) => Array.from({ length: count }, (_, i) => String(from + i));

const closeHelp: KeyAction = { keys: ['?', 'Escape'], label: 'Close this help', group: 'Help', mode: HELP_MODE };

/** The review page (components/review/ReviewApp.tsx). */
export const REVIEW_KEYS = {
  accept: { keys: ['a'], label: 'Accept', group: 'Verdicts' },
  reject: { keys: ['r'], label: 'Reject (then pick reasons)', group: 'Verdicts' },
  skip: { keys: ['s'], label: 'Skip', group: 'Verdicts' },
  undo: { keys: ['u'], label: 'Undo the last verdict', group: 'Verdicts' },
  help: { keys: ['?'], label: 'These shortcuts', group: 'Verdicts' },
  toggleReason: {
    keys: digits(1, REJECT_REASONS.length),
    keyLabels: REJECT_REASONS.map((r) => r.label),
    label: 'Toggle a reject reason',
    group: 'Reject reasons',
    mode: 'rejecting',
  },
  confirmReject: { keys: ['Enter', 'r'], label: 'Confirm reject', group: 'Reject reasons', mode: 'rejecting' },
  cancelReject: { keys: ['Escape'], label: 'Cancel', group: 'Reject reasons', mode: 'rejecting' },
  nextInstruction: { keys: ['v'], label: 'Next instruction version', group: 'Instruction and image' },
  edit: { keys: ['e'], label: 'Edit (saved as a new version)', group: 'Instruction and image' },
  note: { keys: ['n'], label: 'Note for the leads on this item', group: 'Instruction and image' },
  nextCandidate: { keys: ['c'], label: 'Next edited-image candidate', group: 'Instruction and image' },
  regenerate: { keys: ['g'], label: 'Regenerate the edit (gpt-image-1)', group: 'Instruction and image' },
  regeneratePair: { keys: ['G'], label: 'Regenerate source and edit (HQ-Edit generate)', group: 'Instruction and image' },
  rewrite: { keys: ['w'], label: 'Rewrite the instruction (GPT-4o)', group: 'Instruction and image' },
  inspectSide: { keys: ['i'], label: 'Zoom and pan, in sync', group: 'Inspect' },
  inspectSwipe: { keys: ['x'], label: 'Swipe view', group: 'Inspect' },
  inspectDifference: { keys: ['d'], label: 'Difference view', group: 'Inspect' },
  mask: { keys: ['m'], label: 'Overlay the mask (when the item has one)', group: 'Inspect' },
  moveSwipe: { keys: ['ArrowLeft', 'ArrowRight'], label: 'Move the swipe line', group: 'Inspect' },
  resetZoom: { keys: ['0'], label: 'Reset zoom', group: 'Inspect' },
  leave: { keys: ['Escape'], label: 'Leave inspect, or dismiss a message', group: 'Inspect' },
  closeHelp,
} as const satisfies Keymap;

/** The audit page (components/audit/AuditApp.tsx). */
export const AUDIT_KEYS = {
  selectScale: {
    keys: RUBRIC.map((s) => s.key),
    keyLabels: RUBRIC.map((s) => s.label.toLowerCase()),
    label: 'Select a scale',
    group: 'Score',
  },
  moveScale: { keys: ['ArrowUp', 'ArrowDown'], label: 'previous / next scale', group: 'Score' },
  score: { keys: digits(0, 10), shown: '0–9', label: 'score the scale, then go to the next', group: 'Score' },
  scoreTen: { keys: ['t'], label: 'score 10', group: 'Score' },
  nudgeScore: { keys: ['ArrowLeft', 'ArrowRight'], label: 'one point down / up', group: 'Score' },
  pass: { keys: ['Enter'], label: 'pass (all three scored)', group: 'Decide' },
  fail: { keys: ['f'], label: 'fail (all three scored)', group: 'Decide' },
  note: { keys: ['n'], label: 'write a note (Enter or Esc to leave it)', group: 'Decide' },
  dismiss: { keys: ['Escape'], label: 'dismiss the message', group: 'Decide' },
  help: { keys: ['?'], label: 'these shortcuts', group: 'Decide' },
  closeHelp,
} as const satisfies Keymap;

/** The item page's adjudication controls (components/item/AdjudicationPanel.tsx). */
export const ITEM_KEYS = {
  accept: { keys: ['a'], label: 'Accept', group: 'Decide' },
  reject: { keys: ['r'], label: 'Reject (with the reasons picked)', group: 'Decide' },
  toggleReason: {
    keys: digits(1, REJECT_REASONS.length),
    keyLabels: REJECT_REASONS.map((r) => r.label),
    label: 'Toggle a reject reason',
    group: 'Decide',
  },
  note: { keys: ['c'], label: 'Write a note with the decision', group: 'Decide' },
  nextVersion: { keys: ['v'], label: 'Next version to decide on (when reviewers accepted different ones)', group: 'Decide' },
  nextItem: { keys: ['n'], label: 'Next disputed item', group: 'Move' },
  queue: { keys: ['q'], label: 'Back to the adjudication queue', group: 'Move' },
  help: { keys: ['?'], label: 'This help', group: 'Move' },
  dismiss: { keys: ['Escape'], label: 'Dismiss the message', group: 'Move' },
  closeHelp,
} as const satisfies Keymap;

/** The adjudication queue (components/item/StartKey.tsx): its one key, shown on the Start button. */
export const ADJUDICATION_QUEUE_KEYS = {
  start: { keys: ['Enter'], label: 'Open the first item', group: 'Move' },
} as const satisfies Keymap;

/**
 * The dataset browser's list, grid or table, while it has focus (components/datasets/useItemSelection.ts):
 * its keys act on the list's own place (the active item), so they are bound on the list, not the window.
 */
export const DATASET_LIST_KEYS = {
  moveLine: { keys: ['ArrowUp', 'ArrowDown'], label: 'Previous / next line (the table: row)', group: 'Items' },
  moveItem: { keys: ['ArrowLeft', 'ArrowRight'], label: 'Previous / next item (the grid)', group: 'Items' },
  ends: { keys: ['Home', 'End'], label: 'First / last item loaded', group: 'Items' },
  open: { keys: ['Enter'], label: 'Open the item (leads)', group: 'Items' },
  select: { keys: [' '], shift: false, label: 'Select or unselect the item', group: 'Selection' },
  selectRange: { keys: [' '], shift: true, label: 'Select from the last one picked to here', group: 'Selection' },
} as const satisfies Keymap;

/** The dataset browser's page keys (components/datasets/DatasetBrowser.tsx), anywhere on the page. */
export const DATASET_PAGE_KEYS = {
  help: { keys: ['?'], label: 'These shortcuts', group: 'Help' },
  closeHelp,
} as const satisfies Keymap;

/** The dataset browser's whole keymap: its `?` help lists it, and the tests check it as one page. */
export const DATASET_KEYS = { ...DATASET_LIST_KEYS, ...DATASET_PAGE_KEYS } as const satisfies Keymap;

/** Every page's keymap, by page (for the tests that check them all). */
export const KEYMAPS = {
  review: REVIEW_KEYS,
  audit: AUDIT_KEYS,
  item: ITEM_KEYS,
  adjudicationQueue: ADJUDICATION_QUEUE_KEYS,
  dataset: DATASET_KEYS,
} as const;

/** The action a key (with Shift held or not) runs in a mode, if any. */
export function actionFor<K extends Keymap>(keymap: K, mode: string, key: string, shift = false): (keyof K & string) | undefined {
  for (const [id, action] of Object.entries(keymap)) {
    if ((action.mode ?? 'normal') === mode && action.keys.includes(key) && (action.shift ?? shift) === shift) return id;
  }
  return undefined;
}

interface HelpGroup {
  title: string;
  /** Each line: the keys as the page writes them (one <kbd> each), and what they do. */
  rows: [keys: string[], label: string][];
}

/** How the page writes an action's keys: `shown`, else each key's name (`← →`), after `Shift` when it must be held. */
const keyNames = (action: KeyAction) => [...(action.shift ? ['Shift'] : []), ...(action.shown ? [action.shown] : action.keys.map(keyName))];

/** An action's keys as one label (on a button). */
export const shownKeys = (action: KeyAction) => keyNames(action).join(' ');

/** One help line per action (or per key, with keyLabels). */
function helpRows(action: KeyAction): [string[], string][] {
  if (action.keyLabels) return action.keys.map((key, i) => [[keyName(key)], action.keyLabels![i]]);
  return [[keyNames(action), action.label]];
}

/** The `?` help of a page: every entry outside the help mode, in titled groups. */
export function helpGroups(keymap: Keymap): HelpGroup[] {
  const groups = new Map<string, HelpGroup>();
  for (const action of Object.values(keymap)) {
    if (action.mode === HELP_MODE) continue;
    if (!groups.has(action.group)) groups.set(action.group, { title: action.group, rows: [] });
    groups.get(action.group)!.rows.push(...helpRows(action));
  }
  return [...groups.values()];
}

/** The keys that close the help (its own mode's entries), for the dialog's header. */
export function helpCloseKeys(keymap: Keymap): string[] {
  return Object.values(keymap)
    .filter((action) => action.mode === HELP_MODE)
    .flatMap((action) => action.keys.map(keyName));
}
