import { describe, expect, it } from 'vitest';
import { auditActions, type AuditPage } from './audit/useAuditKeys';
import { REJECT_REASONS } from '@/lib/review/reasons';
import { HELP_MODE, helpCloseKeys, helpGroups, KEYMAPS, actionFor, type Keymap } from './keymap';
import { reviewActions, type ReviewPage } from './review/useReviewKeys';

const pages = Object.entries(KEYMAPS) as [string, Keymap][];

describe('the keymaps', () => {
  it.each(pages)('%s: no two actions share a key in one mode (with Shift held or not)', (_, keymap) => {
    const seen = new Map<string, string>();
    for (const [id, action] of Object.entries(keymap)) {
      for (const key of action.keys) {
        for (const shift of action.shift === undefined ? [false, true] : [action.shift]) {
          const slot = `${action.mode ?? 'normal'} ${shift ? 'shift-' : ''}${key}`;
          expect(seen.get(slot), `${id} and ${seen.get(slot)} both take ${slot}`).toBeUndefined();
          seen.set(slot, id);
        }
      }
    }
  });

  it.each(pages)('%s: every action has keys, a label and a group, and one help label per key when it has them', (_, keymap) => {
    for (const action of Object.values(keymap)) {
      expect(action.keys.length).toBeGreaterThan(0);
      expect(action.label).not.toBe('');
      expect(action.group).not.toBe('');
      if (action.keyLabels) expect(action.keyLabels).toHaveLength(action.keys.length);
    }
  });

  it.each(pages)('%s: the help lists every action outside its own mode, and nothing else', (_, keymap) => {
    const rows = helpGroups(keymap).flatMap((group) => group.rows);
    const expected = Object.values(keymap)
      .filter((action) => action.mode !== HELP_MODE)
      .reduce((n, action) => n + (action.keyLabels ? action.keys.length : 1), 0);
    expect(rows).toHaveLength(expected);
    for (const action of Object.values(keymap)) {
      if (action.mode === HELP_MODE) continue;
      for (const label of action.keyLabels ?? [action.label]) expect(rows.map(([, l]) => l)).toContain(label);
    }
  });

  it('pages with a ? help can open and close it', () => {
    for (const keymap of [KEYMAPS.review, KEYMAPS.audit, KEYMAPS.item, KEYMAPS.dataset]) {
      expect(actionFor(keymap, 'normal', '?')).toBe('help');
      expect(actionFor(keymap, HELP_MODE, 'Escape')).toBe('closeHelp');
      expect(helpCloseKeys(keymap)).toEqual(['?', 'Esc']);
    }
  });

  it('a key works only in its mode: Enter confirms a reject only while rejecting, r starts one otherwise', () => {
    expect(actionFor(KEYMAPS.review, 'rejecting', 'Enter')).toBe('confirmReject');
    expect(actionFor(KEYMAPS.review, 'normal', 'Enter')).toBeUndefined();
    expect(actionFor(KEYMAPS.review, 'normal', 'r')).toBe('reject');
    expect(actionFor(KEYMAPS.review, 'rejecting', 'a')).toBeUndefined();
    expect(actionFor(KEYMAPS.review, HELP_MODE, 'a')).toBeUndefined();
  });

  it('the dataset browser: Space selects, shift-Space selects a range, and the help says both', () => {
    expect(actionFor(KEYMAPS.dataset, 'normal', ' ')).toBe('select');
    expect(actionFor(KEYMAPS.dataset, 'normal', ' ', true)).toBe('selectRange');
    expect(actionFor(KEYMAPS.dataset, 'normal', 'Home')).toBe('ends');
    expect(actionFor(KEYMAPS.dataset, HELP_MODE, ' ')).toBeUndefined();
    const rows = helpGroups(KEYMAPS.dataset).flatMap((group) => group.rows);
    expect(rows).toContainEqual([['Space'], 'Select or unselect the item']);
    expect(rows).toContainEqual([['Shift', 'Space'], 'Select from the last one picked to here']);
    expect(rows).toContainEqual([['↑', '↓'], 'Previous / next line (the table: row)']);
    // Keys that ignore Shift still work with it (`?` needs it on most layouts).
    expect(actionFor(KEYMAPS.dataset, 'normal', '?', true)).toBe('help');
  });

  it('the review help shows the keys as before: reasons one by one, arrows as arrows', () => {
    const groups = helpGroups(KEYMAPS.review);
    expect(groups.map((g) => g.title)).toEqual(['Verdicts', 'Reject reasons', 'Instruction and image', 'Inspect']);
    expect(groups[1].rows[0]).toEqual([['1'], 'Instruction not followed']);
    expect(groups[1].rows).toContainEqual([['Enter', 'r'], 'Confirm reject']);
    expect(groups[3].rows).toContainEqual([['←', '→'], 'Move the swipe line']);
    expect(helpGroups(KEYMAPS.audit)[0].rows).toContainEqual([['0–9'], 'score the scale, then go to the next']);
  });
});

/**
 * The review page's keys as the page bound them by hand before the keymap (ReviewApp.tsx at commit
 * 8b714e4): help open, only ? and Esc (closing it); rejecting, the reason numbers, Enter or r and Esc;
 * otherwise its table of keys. Every other key in a mode did nothing.
 */
const OLD_REVIEW_KEYS: Record<string, Record<string, string>> = {
  normal: {
    a: 'accept',
    r: 'reject',
    s: 'skip',
    u: 'undo',
    e: 'edit',
    n: 'note',
    v: 'nextInstruction',
    c: 'nextCandidate',
    g: 'regenerate',
    G: 'regeneratePair',
    w: 'rewrite',
    i: 'inspectSide',
    x: 'inspectSwipe',
    d: 'inspectDifference',
    m: 'mask',
    '0': 'resetZoom',
    ArrowLeft: 'moveSwipe',
    ArrowRight: 'moveSwipe',
    '?': 'help',
    Escape: 'leave',
  },
  rejecting: {
    ...Object.fromEntries(REJECT_REASONS.map((_, i) => [String(i + 1), 'toggleReason'])),
    Enter: 'confirmReject',
    r: 'confirmReject',
    Escape: 'cancelReject',
  },
  [HELP_MODE]: { '?': 'closeHelp', Escape: 'closeHelp' },
};

describe('the review keymap binds the keys the review page bound before it', () => {
  const rows = Object.entries(OLD_REVIEW_KEYS).flatMap(([mode, keys]) => Object.entries(keys).map(([key, action]) => [mode, key, action]));
  it.each(rows)('%s: %s → %s', (mode, key, action) => {
    expect(actionFor(KEYMAPS.review, mode, key)).toBe(action);
  });

  it('and no other key, in any mode', () => {
    const bound = Object.values(KEYMAPS.review as Keymap).flatMap((action) =>
      action.keys.map((key) => `${action.mode ?? 'normal'} ${key}`),
    );
    const old = Object.entries(OLD_REVIEW_KEYS).flatMap(([mode, keys]) => Object.keys(keys).map((key) => `${mode} ${key}`));
    expect(bound.sort()).toEqual(old.sort());
  });
});

/** A stand-in for the page state the handler maps close over (the maps are only listed here, never run). */
const stub = new Proxy({}, { get: () => stub }) as never;

describe("each page's handler map binds exactly its keymap's actions", () => {
  it('review', () => {
    const page: ReviewPage = {
      item: undefined,
      queue: stub,
      choice: stub,
      inspect: null,
      setInspect: stub,
      help: false,
      setHelp: stub,
      setShowMask: stub,
      inspectRef: { current: null },
    };
    expect(Object.keys(reviewActions(page)).sort()).toEqual(Object.keys(KEYMAPS.review).sort());
  });

  it('audit', () => {
    const page: AuditPage = {
      hasItem: false,
      scoring: { ...(stub as object), active: 0, scores: {} } as never,
      score: stub,
      submit: stub,
      dismiss: stub,
      help: false,
      setHelp: stub,
      noteRef: { current: null },
    };
    expect(Object.keys(auditActions(page)).sort()).toEqual(Object.keys(KEYMAPS.audit).sort());
  });
});
