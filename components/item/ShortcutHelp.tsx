'use client';

import { ShortcutDialog, type ShortcutGroup } from '@/components/ShortcutDialog';
import { REJECT_REASONS } from '@/lib/review/reasons';

const GROUPS: ShortcutGroup[] = [
  {
    title: 'Decide',
    keys: [
      ['a', 'Accept'],
      ['r', 'Reject (with the reasons picked)'],
      ...REJECT_REASONS.map((r, i) => [String(i + 1), r.label] as [string, string]),
      ['c', 'Write a note with the decision'],
      ['v', 'Next version to decide on (when reviewers accepted different ones)'],
    ],
  },
  {
    title: 'Move',
    keys: [
      ['n', 'Next disputed item'],
      ['q', 'Back to the adjudication queue'],
      ['?', 'This help'],
      ['Esc', 'Close / leave a text field'],
    ],
  },
];

export function ShortcutHelp({ onClose }: { onClose: () => void }) {
  return <ShortcutDialog groups={GROUPS} onClose={onClose} />;
}
