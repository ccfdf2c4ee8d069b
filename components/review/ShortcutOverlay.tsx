'use client';

import { ShortcutDialog, type ShortcutGroup } from '@/components/ShortcutDialog';
import { REJECT_REASONS } from '@/lib/review/reasons';

const GROUPS: ShortcutGroup[] = [
  {
    title: 'Verdicts',
    keys: [
      ['a', 'Accept'],
      ['r', 'Reject (then pick reasons)'],
      ['s', 'Skip'],
      ['u', 'Undo the last verdict'],
    ],
  },
  {
    title: 'Reject reasons',
    keys: [...REJECT_REASONS.map((r, i) => [String(i + 1), r.label] as [string, string]), ['Enter', 'Confirm reject'], ['Esc', 'Cancel']],
  },
  {
    title: 'Instruction and image',
    keys: [
      ['v', 'Next instruction version'],
      ['e', 'Edit (saved as a new version)'],
      ['n', 'Note for the leads on this item'],
      ['c', 'Next edited-image candidate'],
      ['g', 'Regenerate the edit (gpt-image-1)'],
      ['G', 'Regenerate source and edit (HQ-Edit generate)'],
      ['w', 'Rewrite the instruction (GPT-4o)'],
    ],
  },
  {
    title: 'Inspect',
    keys: [
      ['i', 'Zoom and pan, in sync'],
      ['x', 'Swipe view'],
      ['d', 'Difference view'],
      ['m', 'Overlay the mask (when the item has one)'],
      ['← →', 'Move the swipe line'],
      ['0', 'Reset zoom'],
      ['Esc', 'Leave inspect'],
    ],
  },
];

export function ShortcutOverlay({ onClose }: { onClose: () => void }) {
  return <ShortcutDialog groups={GROUPS} onClose={onClose} />;
}
